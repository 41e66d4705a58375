export { readSparseFile, type SparseFileError, writeSparseFile } from './sparse-file.js';
