// A periodic call that fails while a region is down fails every tick; the log should say so once
// when it starts failing and once when it works again. Pure.

export class FailureStreak {
  private failures = 0;

  /** Records a failure; true for the first of a streak (the one to log). */
  failed(): boolean {
    this.failures++;
    return this.failures === 1;
  }

  /** Records a success; the length of the streak it ends (0 when there was none). */
  succeeded(): number {
    const ended = this.failures;
    this.failures = 0;
    return ended;
  }
}
