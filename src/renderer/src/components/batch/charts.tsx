/** Small inline SVG charts: no library, crisp at any zoom, themed by CSS variables. */

export function Sparkline({
  values,
  width = 160,
  height = 36,
  label,
  kind = 'line'
}: {
  values: readonly number[]
  width?: number
  height?: number
  label: string
  kind?: 'line' | 'area'
}) {
  if (values.length < 2) {
    return (
      <svg className="chart sparkline" width={width} height={height} role="img" aria-label={label}>
        <line x1={0} x2={width} y1={height - 1} y2={height - 1} className="chart-axis" />
      </svg>
    )
  }
  const max = Math.max(...values)
  const min = Math.min(0, ...values)
  const span = max - min || 1
  const step = width / (values.length - 1)
  const pts = values.map((v, i) => [i * step, height - 2 - ((v - min) / span) * (height - 4)] as const)
  const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('')
  return (
    <svg className="chart sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      {kind === 'area' ? <path d={`${d}L${width},${height}L0,${height}Z`} className="chart-area" /> : null}
      <path d={d} className="chart-line" fill="none" />
      <circle cx={pts[pts.length - 1]![0]} cy={pts[pts.length - 1]![1]} r={2.5} className="chart-dot" />
    </svg>
  )
}

export function Bars({
  items,
  width = 168,
  format,
  label
}: {
  /** `title`: the whole name, shown on hover when `label` is cut to fit. */
  items: readonly { label: string; title?: string; value: number }[]
  width?: number
  format: (v: number) => string
  label: string
}) {
  const max = Math.max(1, ...items.map((i) => i.value))
  const row = 16
  const labelW = 58
  const valueW = 40
  const barW = width - labelW - valueW
  return (
    <svg className="chart bars" width={width} height={Math.max(row, items.length * row)} role="img" aria-label={label}>
      {items.map((item, i) => (
        <g key={item.label} transform={`translate(0, ${i * row})`}>
          <title>{item.title ?? item.label}</title>
          <text x={0} y={12} className="chart-label">
            {item.label.length > 9 ? item.label.slice(0, 8) + '…' : item.label}
          </text>
          <rect x={labelW} y={3} width={Math.max(1, (item.value / max) * (barW - 4))} height={row - 6} rx={2} className="chart-bar" />
          <text x={width} y={12} textAnchor="end" className="chart-value">
            {format(item.value)}
          </text>
        </g>
      ))}
    </svg>
  )
}

/** A horizontal gauge with a threshold mark (the 20 % failure alert). */
export function Gauge({ ratio, threshold, width = 160, label }: { ratio: number; threshold: number; width?: number; label: string }) {
  const h = 10
  const r = Math.max(0, Math.min(1, ratio))
  return (
    <svg className="chart gauge" width={width} height={h + 6} role="img" aria-label={label}>
      <rect x={0} y={3} width={width} height={h} rx={5} className="gauge-track" />
      <rect x={0} y={3} width={Math.max(0, r * width)} height={h} rx={5} className={r > threshold ? 'gauge-bad' : 'gauge-ok'} />
      <line x1={threshold * width} x2={threshold * width} y1={0} y2={h + 6} className="gauge-threshold" />
    </svg>
  )
}
