// Entry point of a scanner worker thread: loads the TypeScript scan task through tsx (workers do not inherit loaders).
import { register } from 'tsx/esm/api'

register()
const task = await import('./scan-task.ts')
export default task.default
