package dev.kpm.threads;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * kpm's one thread factory: named, numbered daemon threads ({@code <prefix><n>}), optionally with a
 * fixed context class loader, and remembered while alive, so that whoever closes their executor can
 * wait until they have exited ({@link #awaitExit}) — executors report termination a moment before
 * their threads are gone, and a container checking for leftover threads right after undeploy
 * (Tomcat) would report them as a leak. Thread-safe.
 */
public final class NamedThreads implements ThreadFactory {
  private final String prefix;
  private final ClassLoader contextLoader;
  private final AtomicInteger next = new AtomicInteger(1);
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  private NamedThreads(String prefix, ClassLoader contextLoader) {
    this.prefix = prefix;
    this.contextLoader = contextLoader;
  }

  /** Threads named {@code <prefix>1}, {@code <prefix>2}, … */
  public static NamedThreads of(String prefix) {
    return new NamedThreads(prefix, null);
  }

  /** The same, with {@code loader} as every thread's context class loader. */
  public NamedThreads withContextLoader(ClassLoader loader) {
    return new NamedThreads(prefix, loader);
  }

  @Override
  public Thread newThread(Runnable task) {
    // Idle threads time out and are replaced over a pool's life: forget the dead ones.
    threads.removeIf(thread -> !thread.isAlive());
    Thread thread = new Thread(task, prefix + next.getAndIncrement());
    thread.setDaemon(true);
    if (contextLoader != null) {
      thread.setContextClassLoader(contextLoader);
    }
    threads.add(thread);
    return thread;
  }

  /** Waits until every thread made here has exited, or {@code grace} has passed. */
  public boolean awaitExit(Duration grace) throws InterruptedException {
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
