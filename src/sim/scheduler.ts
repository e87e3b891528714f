/**
 * The core scheduler's one-shot tasks (switch_scheduler.c), as sched_hangup
 * uses them through switch_ivr_schedule_hangup: ADD_SCHEDULE when a task is
 * added, EXE_SCHEDULE when it runs, DEL_SCHEDULE when it is removed (after
 * running, or by its group, as a session's tasks are when it goes away). Each
 * carries Task-ID, Task-Desc, Task-Group and Task-Runtime (epoch seconds),
 * like the RE_SCHEDULE of the recorded heartbeat. Tasks 1 and 2 are the
 * core's heartbeat and check_ip (heartbeat.ts), so ids start at 3.
 */
import type { SimCore } from './core.js';
import type { EventOrigin } from './event.js';

const ADD_ORIGIN: EventOrigin = { file: 'switch_scheduler.c', func: 'switch_scheduler_add_task_ex', line: 256 };
const EXE_ORIGIN: EventOrigin = { file: 'switch_scheduler.c', func: 'switch_scheduler_execute', line: 58 };
const DEL_ORIGIN: EventOrigin = { file: 'switch_scheduler.c', func: 'task_thread_loop', line: 126 };

interface Task {
  readonly id: number;
  readonly desc: string;
  readonly group: string;
  readonly runtime: number;
  readonly timer: NodeJS.Timeout;
}

const schedulers = new WeakMap<SimCore, SimScheduler>();

export class SimScheduler {
  readonly #core: SimCore;
  readonly #tasks = new Map<number, Task>();
  #nextId = 3;

  private constructor(core: SimCore) {
    this.#core = core;
  }

  /** The scheduler of a simulated core. */
  static of(core: SimCore): SimScheduler {
    let s = schedulers.get(core);
    if (!s) {
      s = new SimScheduler(core);
      schedulers.set(core, s);
    }
    return s;
  }

  /** Runs `fn` at `runtimeSec` (epoch seconds; now or earlier runs on the next tick). Returns the task id. */
  add(desc: string, group: string, runtimeSec: number, fn: () => void): number {
    const id = this.#nextId++;
    const delayMs = Math.max(0, runtimeSec * 1000 - Date.now());
    const timer = this.#core.timer(delayMs, () => {
      const task = this.#tasks.get(id);
      if (!task) return;
      this.#fire('EXE_SCHEDULE', EXE_ORIGIN, task);
      fn();
      this.#remove(task);
    });
    const task: Task = { id, desc, group, runtime: runtimeSec, timer };
    this.#tasks.set(id, task);
    this.#fire('ADD_SCHEDULE', ADD_ORIGIN, task);
    return id;
  }

  /** switch_scheduler_del_task_group: removes every pending task of the group, returning how many. */
  delGroup(group: string): number {
    let n = 0;
    for (const task of [...this.#tasks.values()]) {
      if (task.group !== group) continue;
      this.#core.cancelTimer(task.timer);
      this.#remove(task);
      n++;
    }
    return n;
  }

  #remove(task: Task): void {
    if (!this.#tasks.delete(task.id)) return;
    this.#fire('DEL_SCHEDULE', DEL_ORIGIN, task);
  }

  #fire(name: string, origin: EventOrigin, task: Task): void {
    const event = this.#core.createEvent(name, origin);
    event.headers.push(
      ['Task-ID', String(task.id)],
      ['Task-Desc', task.desc],
      ['Task-Group', task.group],
      ['Task-Runtime', String(task.runtime)],
    );
    this.#core.fire(event);
  }
}
