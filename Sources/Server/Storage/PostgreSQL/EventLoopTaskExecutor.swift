internal import NIOCore

/// Runs a task's jobs on one NIO event loop: the loop of the PostgreSQL connection a commit
/// round holds.
///
/// Each statement's answer completes on the connection's event loop; a task on the global
/// executor then wakes another thread to resume, and the next statement is written from there
/// back to the loop: two thread hand-offs per statement, six statements per round. With the
/// round's task on the loop itself, an answer resumes it in place. A round's planning runs on the
/// loop too: it does no I/O, but a large round holds the loop, and the other connections on it,
/// while it plans.
final class EventLoopTaskExecutor: TaskExecutor {
  let eventLoop: any EventLoop

  init(_ eventLoop: any EventLoop) {
    self.eventLoop = eventLoop
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    self.eventLoop.execute {
      job.runSynchronously(on: self.asUnownedTaskExecutor())
    }
  }
}
