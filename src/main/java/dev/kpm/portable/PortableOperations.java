package dev.kpm.portable;

import java.util.List;
import java.util.Optional;

/**
 * What the HTTP API reads of and does with running portable plugins: status, output and the symbol
 * API. {@link PortableRuntime} is kpm's.
 */
public interface PortableOperations {
  PortableStatus status(String name);

  String output(String name);

  void startSymbol(String name, String body);

  void stopSymbol(String name, String body);

  String call(String name, String symbol, String body);

  List<String> read(String name, String key, int count);

  Optional<String> write(String name, String key, String data, boolean ack);
}
