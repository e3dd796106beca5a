package dev.kpm;

import dev.kpm.threads.NamedThreads;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The executor for installs and process supervision: the container's default {@code
 * ManagedExecutorService} when JNDI offers one (Payara), else kpm's own bounded pool of named
 * daemon threads that time out when idle. Only kpm's own pool is shut down on close; a container's
 * executor belongs to the container.
 */
public final class WorkerPool implements AutoCloseable {
  static final String MANAGED_EXECUTOR = "java:comp/DefaultManagedExecutorService";
  private static final Logger LOG = Logger.getLogger(WorkerPool.class.getName());

  private final ExecutorService executor;
  private final boolean owned;
  private final Duration grace;

  private WorkerPool(ExecutorService executor, boolean owned, Duration grace) {
    this.executor = executor;
    this.owned = owned;
    this.grace = grace;
  }

  static WorkerPool start(int threads, Duration grace) {
    try {
      InitialContext context = new InitialContext();
      try {
        ExecutorService managed = (ExecutorService) context.lookup(MANAGED_EXECUTOR);
        LOG.info("using the container's managed executor " + MANAGED_EXECUTOR);
        return new WorkerPool(managed, false, grace);
      } finally {
        context.close();
      }
    } catch (NamingException | RuntimeException e) {
      ThreadPoolExecutor own =
          new ThreadPoolExecutor(
              threads,
              threads,
              30,
              TimeUnit.SECONDS,
              new ArrayBlockingQueue<>(1024),
              NamedThreads.of("kpm-worker-"));
      own.allowCoreThreadTimeOut(true);
      return new WorkerPool(own, true, grace);
    }
  }

  public ExecutorService executor() {
    return executor;
  }

  @Override
  public void close() throws InterruptedException {
    if (!owned) {
      return;
    }
    executor.shutdown();
    if (!executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warning("worker tasks still running after " + grace + "; interrupting them");
      executor.shutdownNow();
      executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
