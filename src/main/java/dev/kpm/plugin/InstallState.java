package dev.kpm.plugin;

/** Outcome of an install attempt; RUNNING rows found at start-up belong to a crashed kpm. */
public enum InstallState {
  RUNNING,
  SUCCEEDED,
  FAILED,
  ABORTED
}
