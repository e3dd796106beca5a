package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The CSV cells of the audit export: RFC 4180 quoting, no formulas for spreadsheets. */
class AuditCsvTest {
  @Test
  void cellsAreQuotedWhenNeededAndFormulasAreDefused() {
    assertEquals("", AuditResource.cell(null));
    assertEquals("plain", AuditResource.cell("plain"));
    assertEquals("\"a,b\"", AuditResource.cell("a,b"));
    assertEquals("\"say \"\"hi\"\"\"", AuditResource.cell("say \"hi\""));
    assertEquals("\"two\nlines\"", AuditResource.cell("two\nlines"));
    assertEquals("'=HYPERLINK(1)", AuditResource.cell("=HYPERLINK(1)"));
    assertEquals("'+1", AuditResource.cell("+1"));
    assertEquals("'@x", AuditResource.cell("@x"));
    assertEquals("-5", AuditResource.cell(-5L), "numbers stay numbers");
  }
}
