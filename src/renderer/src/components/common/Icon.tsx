const PATHS = {
  up: 'M8 12V4M4.5 7.5 8 4l3.5 3.5',
  down: 'M8 4v8M4.5 8.5 8 12l3.5-3.5',
  top: 'M4 3h8M8 13V6M4.5 9.5 8 6l3.5 3.5',
  bottom: 'M4 13h8M8 3v7M4.5 6.5 8 10l3.5-3.5',
  pause: 'M5.5 3.5v9M10.5 3.5v9',
  play: 'M5 3.5v9l7-4.5z',
  stop: 'M4 4h8v8H4z',
  cancel: 'M4.5 4.5l7 7M11.5 4.5l-7 7',
  retry: 'M12.5 8A4.5 4.5 0 1 1 11 4.6M12.5 2.5v3h-3',
  trash: 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5',
  grip: 'M6 4h.01M10 4h.01M6 8h.01M10 8h.01M6 12h.01M10 12h.01',
  plus: 'M8 3v10M3 8h10',
  bolt: 'M9 2 4 9h4l-1 5 5-7H8z',
  queue: 'M3 4h10M3 8h10M3 12h6',
  jobs: 'M3 3h10v10H3zM3 6.5h10M6.5 6.5V13',
  batch: 'M2.5 4.5h11v8h-11zM2.5 7.5h11M6 4.5v8M9.5 4.5v8',
  providers: 'M8 2.5v3M8 10.5v3M2.5 8h3M10.5 8h3M8 8h.01M4 4l1.5 1.5M10.5 10.5 12 12M12 4l-1.5 1.5M5.5 10.5 4 12',
  projects: 'M2.5 4.5h4l1 1.5h6v6.5h-11z',
  settings: 'M8 5.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5zM8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M12.6 3.4l-1.4 1.4M4.8 11.2l-1.4 1.4',
  sun: 'M8 5.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5zM8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1 1M11.6 11.6l1 1M12.6 3.4l-1 1M4.4 11.6l-1 1',
  moon: 'M12.5 9.5A5 5 0 0 1 6.5 3.5a5 5 0 1 0 6 6z',
  monitor: 'M2.5 3.5h11v7h-11zM6 13.5h4M8 10.5v3',
  keyboard: 'M2 4.5h12v7H2zM4.5 7h.01M7 7h.01M9.5 7h.01M12 7h.01M5 9.5h6',
  panel: 'M2.5 3.5h11v9h-11zM9.5 3.5v9',
  close: 'M4.5 4.5l7 7M11.5 4.5l-7 7',
  download: 'M8 2.5v8M4.5 7 8 10.5 11.5 7M3 13h10',
  upload: 'M8 13.5v-8M4.5 9 8 5.5 11.5 9M3 3h10',
  film: 'M2.5 3.5h11v9h-11zM5 3.5v9M11 3.5v9M2.5 6h2.5M2.5 10h2.5M11 6h2.5M11 10h2.5',
  alert: 'M8 2 1.5 13.5h13zM8 6.5v3M8 11.5h.01',
  check: 'M3.5 8.5l3 3 6-7',
  search: 'M7 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM10 10l3.5 3.5',
  more: 'M4 8h.01M8 8h.01M12 8h.01'
} as const

export type IconName = keyof typeof PATHS

export function Icon({ name, size = 16, title }: { name: IconName; size?: number; title?: string }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={name === 'grip' || name === 'more' ? 2.4 : 1.5}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden={title ? undefined : true}
      role={title ? 'img' : undefined}
    >
      {title ? <title>{title}</title> : null}
      <path d={PATHS[name]} />
    </svg>
  )
}
