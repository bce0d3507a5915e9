/** Whether a process exists (EPERM: it does, owned by another user), for the owner-PID files of embedded servers. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
