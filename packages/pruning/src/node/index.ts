export { readSparseFile, type SparseFileError, writeSparseFile } from './sparse-file.js';
export { writeTfjsModel } from './tfjs-files.js';
