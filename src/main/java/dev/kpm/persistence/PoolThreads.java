package dev.kpm.persistence;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the threads of kpm's connection pool (named daemon threads) and remembers the live ones, so
 * that closing the pool can wait until they have exited. HikariCP's close() returns once its
 * executors are terminated, a moment before their threads are gone; a container checking for
 * leftover threads right after undeploy (Tomcat) would report them as a leak. Thread-safe.
 */
final class PoolThreads implements ThreadFactory {
  private final String prefix;
  private final AtomicInteger next = new AtomicInteger(1);
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  PoolThreads(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Thread newThread(Runnable task) {
    // Idle pool threads time out and are replaced over the pool's life: forget the dead ones.
    threads.removeIf(thread -> !thread.isAlive());
    Thread thread = new Thread(task, prefix + next.getAndIncrement());
    thread.setDaemon(true);
    threads.add(thread);
    return thread;
  }

  /** Waits until every thread made here has exited, or {@code grace} has passed. */
  boolean awaitExit(Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    for (Thread thread : threads) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        break;
      }
      thread.join(left);
    }
    return threads.stream().noneMatch(Thread::isAlive);
  }
}
