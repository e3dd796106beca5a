package dev.kpm.portable;

/** A plugin process that could not be started; the message is eKuiper's text. */
public final class PortableStartException extends Exception {
  public PortableStartException(String message) {
    super(message);
  }
}
