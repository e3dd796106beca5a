package dev.kpm.plugin;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The rows of auto-loaded plugins, written as JDBC batches: the plugin rows, their install records
 * (already succeeded) and their function symbols, three batched statements however many plugins.
 * Through JPA each plugin cost two inserts of one round trip each (identity keys are not batched),
 * 2,000 round trips for 1,000 {@code .so} files at start-up. The columns are those {@link
 * Plugin#apply} and {@link InstallRecord} write; the rest take the schema's defaults.
 */
final class AutoLoadRows {
  private static final String PLUGIN =
      "INSERT INTO plugin (type, name, version, state, origin, artifact, functions_declared, files)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String RECORD =
      "INSERT INTO install_record (plugin_type, plugin_name, operation, state, staging_dir,"
          + " started_at, finished_at, duration_ms) VALUES (?, ?, ?, ?, ?, now(), now(), 0)";
  private static final String SYMBOL =
      "INSERT INTO function_symbol (name, plugin_id, position)"
          + " SELECT ?, id, ? FROM plugin WHERE type = ? AND name = ?";

  private AutoLoadRows() {}

  /** Inserts {@code plugins} on {@code c}, inside the caller's transaction. */
  static void insert(Connection c, List<NewPlugin> plugins, Path staging) throws SQLException {
    try (PreparedStatement plugin = c.prepareStatement(PLUGIN);
        PreparedStatement record = c.prepareStatement(RECORD);
        PreparedStatement symbol = c.prepareStatement(SYMBOL)) {
      for (NewPlugin p : plugins) {
        addPlugin(c, plugin, p);
        addRecord(record, p, staging);
        addSymbols(symbol, p);
      }
      plugin.executeBatch();
      record.executeBatch();
      symbol.executeBatch();
    }
  }

  private static void addPlugin(Connection c, PreparedStatement st, NewPlugin p)
      throws SQLException {
    st.setString(1, p.type().word());
    st.setString(2, p.name());
    st.setString(3, p.version());
    st.setString(4, PluginState.INSTALLED.name());
    st.setString(5, PluginOrigin.AUTOLOAD.name());
    st.setString(6, p.artifact());
    st.setBoolean(7, p.functions().isPresent());
    st.setArray(8, c.createArrayOf("text", p.files().toArray()));
    st.addBatch();
  }

  private static void addRecord(PreparedStatement st, NewPlugin p, Path staging)
      throws SQLException {
    st.setString(1, p.type().word());
    st.setString(2, p.name());
    st.setString(3, InstallOperation.AUTOLOAD.name());
    st.setString(4, InstallState.SUCCEEDED.name());
    st.setString(5, staging.toString());
    st.addBatch();
  }

  private static void addSymbols(PreparedStatement st, NewPlugin p) throws SQLException {
    List<String> symbols = p.symbols();
    for (int i = 0; i < symbols.size(); i++) {
      st.setString(1, symbols.get(i));
      st.setInt(2, i);
      st.setString(3, p.type().word());
      st.setString(4, p.name());
      st.addBatch();
    }
  }
}
