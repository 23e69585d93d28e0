/**
 * Combines the watermarks and idleness of several inputs: the combined watermark is the minimum
 * over active inputs; idle and finished inputs do not hold it back. When every input is idle, the
 * combination is idle too. A task combines its input channels with it (one valve per logical input),
 * a two-input operator its two inputs.
 */
export class StatusWatermarkValve {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private readonly ended: boolean[];
  private lastWatermark = Number.NEGATIVE_INFINITY;
  private allIdle = false;

  constructor(
    channels: number,
    private readonly onWatermark: (timestamp: number) => void,
    private readonly onIdle: (idle: boolean) => void,
  ) {
    this.watermarks = new Array<number>(channels).fill(Number.NEGATIVE_INFINITY);
    this.idle = new Array<boolean>(channels).fill(false);
    this.ended = new Array<boolean>(channels).fill(false);
  }

  get watermark(): number {
    return this.lastWatermark;
  }

  inputWatermark(channel: number, timestamp: number): void {
    if (timestamp > this.watermarks[channel]!) this.watermarks[channel] = timestamp;
    if (this.idle[channel]) this.inputIdle(channel, false);
    else this.advance();
  }

  inputIdle(channel: number, idle: boolean): void {
    this.idle[channel] = idle;
    const allIdle = this.idle.every((x, i) => x || this.ended[i]);
    if (!allIdle && this.allIdle) {
      this.allIdle = false;
      this.onIdle(false);
    }
    this.advance();
    if (allIdle && !this.allIdle && !this.ended.every(Boolean)) {
      this.allIdle = true;
      this.onIdle(true);
    }
  }

  inputEnded(channel: number): void {
    this.ended[channel] = true;
    this.advance();
  }

  private advance(): void {
    let min = Number.POSITIVE_INFINITY;
    let active = false;
    for (let i = 0; i < this.watermarks.length; i++) {
      if (this.idle[i] || this.ended[i]) continue;
      active = true;
      if (this.watermarks[i]! < min) min = this.watermarks[i]!;
    }
    if (active && min > this.lastWatermark) {
      this.lastWatermark = min;
      this.onWatermark(min);
    }
  }
}
