package dev.kpm.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {

  @ParameterizedTest
  @ValueSource(strings = {"random", "my_sink-2", "A", "0"})
  void validIdsPass(String id) {
    assertEquals(id, Ids.validate(id));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|id cannot be empty",
        "' a'|id ' a' contains leading or trailing whitespace",
        "'a.b '|id 'a.b ' contains leading or trailing whitespace",
        "'a b'|id 'a b' contains invalid characters: only alphanumeric, hyphens and underscores"
            + " are allowed",
        "'../x'|id '../x' contains invalid characters: only alphanumeric, hyphens and underscores"
            + " are allowed"
      })
  void invalidIdsGetValidateIdsTextInItsOrder(String id, String message) {
    PluginException e = assertThrows(PluginException.class, () -> Ids.validate(id));
    assertEquals(message, e.getMessage());
    assertEquals(PluginException.UNDEFINED, e.code());
  }
}
