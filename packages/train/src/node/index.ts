export {
  fileCheckpointStore,
  readCheckpoint,
  writeCheckpoint,
  writeDurably,
} from './checkpoint-file.js';
export { loadRunData } from './load-run-data.js';
