package dev.kpm.plugin;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

/** A native function name in the global UDF registry, owned by one function plugin. */
@Entity
@Table(name = "function_symbol")
class FunctionSymbol {
  @Id private String name;

  @ManyToOne(fetch = FetchType.LAZY, optional = false)
  @JoinColumn(name = "plugin_id", nullable = false)
  private Plugin plugin;

  @Column(nullable = false)
  private int position;

  protected FunctionSymbol() {}

  FunctionSymbol(String name, Plugin plugin, int position) {
    this.name = name;
    this.plugin = plugin;
    this.position = position;
  }

  String name() {
    return name;
  }
}
