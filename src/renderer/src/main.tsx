import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { ApiProvider } from './api/context'
import { getTransport } from './api/bridge'
import { App } from './components/App'
import { studioStore } from './store'
import { startSync } from './store/sync'
import './styles/app.css'

performance.mark('studio:boot')
const { api, connection } = getTransport()
// Push events are subscribed once, here, for the life of the page.
startSync(api, connection, studioStore)

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiProvider api={api}>
      <App />
    </ApiProvider>
  </StrictMode>
)
