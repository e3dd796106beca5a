package dev.kpm.portable;

import java.time.Duration;

/**
 * Settings of the portable host.
 *
 * @param pythonBin the Python interpreter for {@code python} plugins
 * @param handshakeTimeout how long a new process has to send its first control message
 * @param stopGrace how long a process has between SIGTERM and SIGKILL
 * @param maxBackoff the longest wait before restarting a crashed process
 * @param socketDir the folder of the ipc socket files ({@code /tmp}, as eKuiper's SDKs expect)
 * @param crashLoopRestarts crashes within {@code crashLoopWindow} after which restarts stop
 * @param children where the plugin processes are recorded while they run
 */
public record PortableSettings(
    String pythonBin,
    Duration handshakeTimeout,
    Duration stopGrace,
    Duration maxBackoff,
    java.nio.file.Path socketDir,
    int crashLoopRestarts,
    Duration crashLoopWindow,
    dev.kpm.process.Children children) {}
