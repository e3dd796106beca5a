package dev.kpm.plugin;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores a {@link PluginType} as its URL word, the form the schema's CHECK constraints name. */
@Converter
class PluginTypeConverter implements AttributeConverter<PluginType, String> {
  @Override
  public String convertToDatabaseColumn(PluginType type) {
    return type == null ? null : type.word();
  }

  @Override
  public PluginType convertToEntityAttribute(String word) {
    return word == null ? null : PluginType.fromString(word);
  }
}
