package dev.kpm.install.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SourceUrlTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "file:///tmp/x.zip",
        "file:/tmp/x.zip",
        "http://127.0.0.1/x.zip",
        "HTTP://h/x.zip"
      })
  void acceptsTheRowsEkuiperAccepts(String file) {
    assertTrue(SourceUrl.parse(file).isPresent(), file);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "file://host/x.zip",
        "file:tmp/x.zip",
        "/tmp/x.zip",
        "x.zip",
        "ftp://h/x.zip",
        "http:///x.zip"
      })
  void refusesWrongSchemeHostOrPath(String file) {
    assertTrue(SourceUrl.parse(file).isEmpty(), file);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://h/x.zip?x=1", "http://h", "file:///", ""})
  void refusesStringsNotEndingInZip(String file) {
    assertTrue(SourceUrl.parse(file).isEmpty(), file);
  }

  @Test
  void refusesNullAndUnparsableStrings() {
    assertTrue(SourceUrl.parse(null).isEmpty());
    assertTrue(SourceUrl.parse("http://h/a b%zz.zip").isEmpty());
  }

  @Test
  void lowerCasesTheSchemeAndKeepsTheRest() {
    assertEquals(URI.create("http://H/X.zip"), SourceUrl.parse("HTTP://H/X.zip").orElseThrow());
    assertEquals("/tmp/x.zip", SourceUrl.parse("file:/tmp/x.zip").orElseThrow().getPath());
    assertEquals("/tmp/x.zip", SourceUrl.parse("file:///tmp/x.zip").orElseThrow().getPath());
  }
}
