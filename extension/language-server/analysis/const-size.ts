/**
 * Evaluates the constant size expressions both analyzers meet in buffer constructors
 * (`1024 * 1024`, `1 << 20`, `2 ** 20`, `(1024 + 1) * 1024`, `4 << 10 << 10`, `0x10000`, `1_000`),
 * with the usual precedence: `**` over `*` `/` `~/` over `+` `-` over `<<` `>>`.
 */

type Token = string;

/** The value of a constant integer expression, or null when it is not one (names, calls, …). */
export function evalConstSize(text: string): number | null {
  const tokens = text.match(/0[xX][\da-fA-F_]+|[\d_]+|\*\*|~\/|<<|>>|[-+*/()]|\S/g);
  if (!tokens || tokens.length > 64) return null;
  const parser = new ConstParser(tokens);
  const value = parser.shift();
  if (value === null || !parser.done()) return null;
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

class ConstParser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.i === this.tokens.length;
  }

  private eat(op: Token): boolean {
    if (this.tokens[this.i] !== op) return false;
    this.i++;
    return true;
  }

  shift(): number | null {
    let left = this.additive();
    for (;;) {
      if (left === null) return null;
      if (this.eat('<<')) {
        const right = this.additive();
        left = right === null ? null : left * 2 ** right;
      } else if (this.eat('>>')) {
        const right = this.additive();
        left = right === null ? null : Math.floor(left / 2 ** right);
      } else return left;
    }
  }

  private additive(): number | null {
    let left = this.multiplicative();
    for (;;) {
      if (left === null) return null;
      if (this.eat('+')) {
        const right = this.multiplicative();
        left = right === null ? null : left + right;
      } else if (this.eat('-')) {
        const right = this.multiplicative();
        left = right === null ? null : left - right;
      } else return left;
    }
  }

  private multiplicative(): number | null {
    let left = this.power();
    for (;;) {
      if (left === null) return null;
      if (this.eat('*')) {
        const right = this.power();
        left = right === null ? null : left * right;
      } else if (this.eat('/') || this.eat('~/')) {
        const right = this.power();
        left = right === null || right === 0 ? null : Math.floor(left / right);
      } else return left;
    }
  }

  /** `**` is right-associative: `2 ** 2 ** 3` is `2 ** 8`. */
  private power(): number | null {
    const base = this.primary();
    if (base === null || !this.eat('**')) return base;
    const exponent = this.power();
    return exponent === null ? null : base ** exponent;
  }

  private primary(): number | null {
    const t = this.tokens[this.i++];
    if (t === undefined) return null;
    if (t === '(') {
      const inner = this.shift();
      return inner !== null && this.eat(')') ? inner : null;
    }
    if (/^0[xX]/.test(t)) return parseInt(t.slice(2).replace(/_/g, ''), 16);
    if (/^\d[\d_]*$/.test(t) && !t.endsWith('_')) return Number(t.replace(/_/g, ''));
    return null;
  }
}
