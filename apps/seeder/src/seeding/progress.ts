/**
 * Progress of a long seed: a bar redrawn in place on a terminal, a plain line every 10% otherwise
 * (CI logs, the seeder service's structured logs).
 */
export class Progress {
  private done = 0;
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: (line: string) => void,
    private readonly tty: boolean,
  ) {}

  tick(n = 1): void {
    this.done += n;
    const now = Date.now();
    const decile = Math.floor((this.done / this.total) * 10);
    if (this.tty) {
      if (now - this.lastDraw < 100 && this.done < this.total) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round((this.done / this.total) * width);
      const rate = this.done / Math.max(0.001, (now - this.started) / 1000);
      process.stderr.write(
        `\r   ${this.label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} (${Math.round(rate).toLocaleString('en-US')}/s)`,
      );
      if (this.done >= this.total) process.stderr.write('\n');
    } else if (decile > this.lastDecile && decile < 10) {
      this.lastDecile = decile;
      if (decile > 0)
        this.out(
          `   ${this.label}: ${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} (${decile * 10}%)`,
        );
    }
  }
}
