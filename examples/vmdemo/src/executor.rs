//! A minimal single-threaded async executor with a run queue, as a VM uses for
//! device emulation and I/O completion tasks.

use std::cell::Cell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

type Task = Pin<Box<dyn Future<Output = ()>>>;

struct TaskWaker {
    id: usize,
    queue: Arc<Mutex<VecDeque<usize>>>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.queue
            .lock()
            .expect("run queue poisoned")
            .push_back(self.id);
    }
}

#[derive(Default)]
pub struct Executor {
    tasks: Vec<Option<(Task, Waker)>>,
    queue: Arc<Mutex<VecDeque<usize>>>,
}

impl Executor {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn spawn(&mut self, fut: impl Future<Output = ()> + 'static) {
        let id = self.tasks.len();
        let waker = Waker::from(Arc::new(TaskWaker {
            id,
            queue: self.queue.clone(),
        }));
        self.tasks.push(Some((Box::pin(fut), waker)));
        self.queue.lock().expect("run queue poisoned").push_back(id);
    }

    /// Poll ready tasks until none is left; returns the number of polls.
    pub fn run(&mut self) -> usize {
        let mut polls = 0;
        loop {
            let next = self.queue.lock().expect("run queue poisoned").pop_front();
            let Some(id) = next else { break };
            let Some((task, waker)) = self.tasks[id].as_mut() else {
                continue;
            };
            polls += 1;
            let mut cx = Context::from_waker(waker);
            if task.as_mut().poll(&mut cx).is_ready() {
                self.tasks[id] = None;
            }
        }
        self.tasks.clear();
        polls
    }
}

/// Yields once: wakes itself and returns `Pending` the first time it is polled.
pub struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

pub fn yield_now() -> YieldNow {
    YieldNow(false)
}

/// Spawn `n` short tasks (each completes an "I/O request") and run them.
pub fn spawn_and_run(n: usize) -> u64 {
    let done = Rc::new(Cell::new(0u64));
    let mut ex = Executor::new();
    for i in 0..n as u64 {
        let done = done.clone();
        ex.spawn(async move {
            done.set(done.get().wrapping_add(i * 31 + 7));
        });
    }
    ex.run();
    done.get()
}

/// Run `tasks` tasks that each yield `yields` times; returns the number of polls.
pub fn ping_pong(tasks: usize, yields: usize) -> usize {
    let mut ex = Executor::new();
    for _ in 0..tasks {
        ex.spawn(async move {
            for _ in 0..yields {
                yield_now().await;
            }
        });
    }
    ex.run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_runs_and_every_yield_is_polled() {
        assert_eq!(spawn_and_run(3), 7 + 38 + 69);
        assert_eq!(ping_pong(4, 10), 4 * 11);
    }
}
