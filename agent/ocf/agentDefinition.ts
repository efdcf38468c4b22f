/** What an OCF agent declares: its parameters (with defaults and checks) and its actions (with timeouts). */
export type ParameterType = 'string' | 'integer' | 'boolean';

export interface ParameterDeclaration {
  readonly name: string;
  readonly type: ParameterType;
  readonly shortdesc: string;
  readonly longdesc: string;
  /** Absent: the parameter is required. */
  readonly default?: string;
  /** A reason when the value is unusable, null when it is fine (checked after the type). */
  readonly check?: (value: string) => string | null;
}

export type OcfRole = 'Promoted' | 'Unpromoted';

export interface ActionDeclaration {
  readonly name: string;
  /** Seconds. */
  readonly timeout: number;
  /** Seconds; only for recurring monitors. */
  readonly interval?: number;
  readonly role?: OcfRole;
  readonly depth?: number;
}

export interface AgentDefinition {
  readonly name: string;
  readonly version: string;
  readonly shortdesc: string;
  readonly longdesc: string;
  readonly parameters: readonly ParameterDeclaration[];
  readonly actions: readonly ActionDeclaration[];
}
