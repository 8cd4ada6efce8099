/**
 * Where a group-less reader keeps its position (e.g. the last stream id it processed), by name, so that it
 * resumes exactly there after a restart. Implementations: memory, Redis, file (package streams).
 */
export interface CheckpointStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, position: string): Promise<void>;
  delete(name: string): Promise<void>;
}
