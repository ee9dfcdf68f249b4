/** Time left, from the server's deadline (corrected by the server's `seconds_left`). */
import { $ } from "../dom";

export class Timer {
  private readonly node = $("#timer");
  private deadline: number | null = null;
  private handle: number | undefined;

  /** `secondsLeft` (server-measured) wins over the deadline and the local clock. */
  set(deadlineAt: string | null, secondsLeft: number | null = null): void {
    if (secondsLeft !== null && secondsLeft !== undefined) this.deadline = Date.now() + secondsLeft * 1000;
    else this.deadline = deadlineAt ? Date.parse(deadlineAt) : null;
    window.clearInterval(this.handle);
    this.tick();
    if (this.deadline !== null) this.handle = window.setInterval(() => this.tick(), 1000);
  }

  private tick(): void {
    if (this.deadline === null) {
      this.node.textContent = "No time limit";
      this.node.dataset.state = "none";
      return;
    }
    const left = Math.max(0, Math.round((this.deadline - Date.now()) / 1000));
    const h = Math.floor(left / 3600);
    const m = Math.floor((left % 3600) / 60);
    const s = left % 60;
    const mm = String(m).padStart(2, "0");
    const ss = String(s).padStart(2, "0");
    this.node.textContent = h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
    this.node.dataset.state = left === 0 ? "over" : left < 300 ? "low" : "ok";
    this.node.setAttribute("aria-label", `Time left: ${h ? `${h} h ` : ""}${m} min ${s} s`);
  }
}
