package dev.kpm.portable.sp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Received messages of one socket, queued per pipe and handed out round-robin over the pipes that
 * have any, so one chatty pipe cannot starve the others.
 *
 * <p>Back-pressure: a pipe's reader blocks in {@link #put} while that pipe has {@link #PER_PIPE}
 * messages queued; the peer's further frames then wait in the kernel buffer, as with mangos.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
final class Inbox {
  static final int PER_PIPE = 64;

  record Message(Pipe pipe, byte[] payload) {}

  private final boolean dropFromClosedPipes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final Condition taken = lock.newCondition();
  private final Map<Pipe, ArrayDeque<byte[]>> queues = new HashMap<>();
  private final ArrayDeque<Pipe> turns = new ArrayDeque<>();
  private String closedReason;

  /**
   * @param dropFromClosedPipes REP: a closed pipe's queued requests are discarded (its replies
   *     could go nowhere). PULL and REQ keep and deliver what was received before the close.
   */
  Inbox(boolean dropFromClosedPipes) {
    this.dropFromClosedPipes = dropFromClosedPipes;
  }

  /** Queues a payload; blocks while the pipe's queue is full and both pipe and inbox are open. */
  void put(Pipe pipe, byte[] payload) throws InterruptedException {
    lock.lock();
    try {
      while (queued(pipe) >= PER_PIPE && closedReason == null && pipe.isOpen()) {
        taken.await();
      }
      if (closedReason != null || (dropFromClosedPipes && !pipe.isOpen())) {
        return;
      }
      ArrayDeque<byte[]> queue = queues.computeIfAbsent(pipe, p -> new ArrayDeque<>());
      queue.add(payload);
      if (queue.size() == 1) {
        turns.add(pipe);
      }
      arrived.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next message, fairly over pipes; waits until the deadline. When closed, still hands out
   * what is queued, then throws with the close reason.
   */
  Message take(long deadline, String what) throws IOException {
    lock.lock();
    try {
      while (true) {
        Pipe pipe = turns.poll();
        if (pipe != null) {
          Message message = next(pipe);
          if (!dropFromClosedPipes || pipe.isOpen()) {
            return message;
          }
        } else {
          awaitArrival(deadline, what);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Called when a pipe closed: wakes its blocked reader, and for REP drops what it queued. */
  void pipeClosed(Pipe pipe) {
    lock.lock();
    try {
      if (dropFromClosedPipes) {
        queues.remove(pipe);
        turns.remove(pipe);
      }
      taken.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Refuses further messages and wakes every waiter; the first reason wins. */
  void close(String reason) {
    lock.lock();
    try {
      if (closedReason == null) {
        closedReason = reason;
      }
      arrived.signalAll();
      taken.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private int queued(Pipe pipe) {
    ArrayDeque<byte[]> queue = queues.get(pipe);
    return queue == null ? 0 : queue.size();
  }

  private Message next(Pipe pipe) {
    ArrayDeque<byte[]> queue = queues.get(pipe);
    byte[] payload = queue.poll();
    if (queue.isEmpty()) {
      queues.remove(pipe);
    } else {
      turns.add(pipe);
    }
    taken.signalAll();
    return new Message(pipe, payload);
  }

  private void awaitArrival(long deadline, String what) throws IOException {
    if (closedReason != null) {
      throw new IOException(what + ": " + closedReason);
    }
    try {
      if (deadline == Deadline.NONE) {
        arrived.await();
      } else if (arrived.awaitNanos(Deadline.remaining(deadline)) <= 0 && turns.isEmpty()) {
        if (closedReason == null) {
          throw new SpTimeoutException(what + ": nothing received in time");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(what + ": interrupted while receiving");
    }
  }
}
