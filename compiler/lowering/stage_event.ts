/** What `CompileOptions.onStage` hears after each lowering stage and each graph pass that ran. */
export interface StageEvent {
  readonly name: string;
  readonly kind: 'stage' | 'graph pass';
  /** The stage's result (a Graph after graph passes). */
  readonly value: unknown;
  /** The result as text: the graph printer for graphs, the stage's own printer otherwise. */
  readonly describe: () => string;
}
