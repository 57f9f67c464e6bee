/**
 * Every benchmark, by name. Add one: a file in this folder exporting an
 * object of this shape, and one line in the list.
 */
export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<void>;
}

export const BENCHMARKS: readonly Benchmark[] = [
];
