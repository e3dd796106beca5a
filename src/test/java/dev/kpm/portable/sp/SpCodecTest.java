package dev.kpm.portable.sp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire format byte for byte, against the captures in docs/portable-protocol.md §4.2–4.5. */
class SpCodecTest {

  @ParameterizedTest
  @CsvSource({
    "48, 00 53 50 00 00 30 00 00",
    "49, 00 53 50 00 00 31 00 00",
    "80, 00 53 50 00 00 50 00 00",
    "81, 00 53 50 00 00 51 00 00"
  })
  void headersAreTheCapturedBytes(int protocol, String bytes) {
    assertArrayEquals(hex(bytes), Sp.header(protocol));
  }

  @Test
  void protocolIdsAndPartnersFollowTheRfc() {
    assertEquals(0x30, Sp.REQ);
    assertEquals(0x31, Sp.REP);
    assertEquals(0x50, Sp.PUSH);
    assertEquals(0x51, Sp.PULL);
    assertEquals(Sp.REP, Sp.partner(Sp.REQ));
    assertEquals(Sp.REQ, Sp.partner(Sp.REP));
    assertEquals(Sp.PULL, Sp.partner(Sp.PUSH));
    assertEquals(Sp.PUSH, Sp.partner(Sp.PULL));
  }

  /**
   * A pipe checks the peer's header against its own protocol's partner, as {@code Pipe} does: the
   * captured partner header passes, and it is that check that passes it — the header of the pipe's
   * own protocol (a REQ meeting a REQ) is refused by the same call.
   */
  @ParameterizedTest
  @CsvSource({
    "48, 00 53 50 00 00 31 00 00",
    "49, 00 53 50 00 00 30 00 00",
    "80, 00 53 50 00 00 51 00 00",
    "81, 00 53 50 00 00 50 00 00"
  })
  void thePartnersHeaderIsAccepted(int own, String partnersHeader) {
    assertDoesNotThrow(() -> Sp.checkHeader(hex(partnersHeader), Sp.partner(own)));

    IOException same =
        assertThrows(IOException.class, () -> Sp.checkHeader(Sp.header(own), Sp.partner(own)));
    assertTrue(
        same.getMessage().startsWith("peer speaks " + Sp.name(own) + " "), same.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "01 53 50 00 00 30 00 00, not an SP header",
    "00 54 50 00 00 30 00 00, not an SP header",
    "00 53 51 00 00 30 00 00, not an SP header",
    "00 53 50 00 00 30 00 01, not an SP header",
    "00 53 50 00 00 30 01 00, not an SP header",
    "00 53 50 01 00 30 00 00, unsupported SP version 1",
    "00 53 50 00 00 31 00 00, 'peer speaks REP (0x31), expected REQ'",
    "00 53 50 00 00 50 00 00, 'peer speaks PUSH (0x50), expected REQ'",
    "00 53 50 00 01 30 00 00, 'peer speaks 0x130 (0x130), expected REQ'"
  })
  void aBadHeaderIsRefusedWithTheReason(String bytes, String reason) {
    IOException e = assertThrows(IOException.class, () -> Sp.checkHeader(hex(bytes), Sp.REQ));

    assertTrue(e.getMessage().startsWith(reason), e.getMessage());
  }

  @Test
  void aZeroLengthPayloadHasAnAllZeroLength() throws IOException {
    byte[] prefix = Sp.prefix(0);

    assertArrayEquals(hex("01 00 00 00 00 00 00 00 00"), prefix);
    assertEquals(0, Sp.payloadLength(prefix));
  }

  @Test
  void aPushFrameMatchesTheSourceTupleCapture() throws IOException {
    byte[] tuple = "{\"message\":{\"a\":1},\"meta\":null}".getBytes(StandardCharsets.UTF_8);

    byte[] prefix = Sp.prefix(tuple.length);

    assertArrayEquals(hex("01 00 00 00 00 00 00 00 1f"), prefix);
    assertEquals(31, Sp.payloadLength(prefix));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 255, 256, 65_536, 0x01020304L, 64L << 20})
  void lengthsRoundTripBigEndian(long length) throws IOException {
    byte[] prefix = Sp.prefix(length);

    assertEquals(length, Sp.payloadLength(prefix));
    assertEquals((byte) length, prefix[8]);
    assertEquals((byte) (length >>> 8), prefix[7]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"00", "02", "ff"})
  void aTypeByteOtherThanOneIsRefused(String type) {
    byte[] prefix = hex(type + " 00 00 00 00 00 00 00 05");

    IOException e = assertThrows(IOException.class, () -> Sp.payloadLength(prefix));

    assertEquals("bad SP message type 0x" + type, e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "01 00 00 00 00 04 00 00 01, 67108865",
    "01 80 00 00 00 00 00 00 00, 9223372036854775808",
    "01 ff ff ff ff ff ff ff ff, 18446744073709551615"
  })
  void lengthsAbove64MiBAreRefused(String bytes, String length) {
    IOException e = assertThrows(IOException.class, () -> Sp.payloadLength(hex(bytes)));

    assertEquals("SP frame of " + length + " bytes exceeds the 64 MiB limit", e.getMessage());
  }

  @Test
  void theRequestReplyCaptureDecodesAndTheReplyIsReproducedByteForByte() throws IOException {
    byte[] request = hex("01 | 00 00 00 00 00 00 00 09 | c7 8c ca 14 | 68 65 6c 6c 6f");
    byte[] payload = Arrays.copyOfRange(request, 9, request.length);

    assertEquals(9, Sp.payloadLength(request));
    int split = Sp.backtraceLength(payload);
    assertEquals(4, split);
    assertEquals(0xc78cca14, Sp.leadingId(payload));
    assertEquals(
        "hello", new String(payload, split, payload.length - split, StandardCharsets.UTF_8));

    byte[] backtrace = Arrays.copyOf(payload, split);
    byte[] body = "world".getBytes(StandardCharsets.UTF_8);
    byte[] reply = concat(Sp.prefix(backtrace.length + body.length), backtrace, body);
    assertArrayEquals(hex("01 | 00 00 00 00 00 00 00 09 | c7 8c ca 14 | 77 6f 72 6c 64"), reply);
  }

  @Test
  void theNextRequestIdIsOneMoreAsInTheCapture() {
    assertEquals(0xc78cca15, Sp.nextRequestId(0xc78cca14));
    assertArrayEquals(hex("c7 8c ca 15"), Sp.idBytes(Sp.nextRequestId(0xc78cca14)));
    assertArrayEquals(hex("e8 82 d1 bb"), Sp.idBytes(Sp.nextRequestId(0xe882d1ba)));
  }

  @Test
  void requestIdsKeepTheTopBitWhenTheyWrap() {
    assertEquals(0x80000000, Sp.nextRequestId(0xffffffff));
    assertEquals(0x80000000, Sp.firstRequestId(0));
    assertEquals(0xc0000001, Sp.firstRequestId(0x40000001));
  }

  @Test
  void theProbesHandshakeCaptureSplitsIntoIdAndBody() throws IOException {
    byte[] frame = hex("01 | 00 00 00 00 00 00 00 0d | e8 82 d1 ba | 68 61 6e 64 73 68 61 6b 65");
    byte[] payload = Arrays.copyOfRange(frame, 9, frame.length);

    assertEquals(13, Sp.payloadLength(frame));
    assertEquals(4, Sp.backtraceLength(payload));
    assertEquals("handshake", new String(payload, 4, 9, StandardCharsets.US_ASCII));
  }

  @Test
  void aBacktraceThroughDevicesEndsAtTheWordWithTheTopBit() {
    byte[] payload = hex("00 00 00 01 | 00 00 00 02 | 80 00 00 03 | 62 6f 64 79");

    assertEquals(12, Sp.backtraceLength(payload));
  }

  @Test
  void eightHopsAreAcceptedAndNineAreDroppedAsTtlOverflow() {
    byte[] eight = concat(hops(7), hex("80 00 00 08 | 78"));
    byte[] nine = concat(hops(8), hex("80 00 00 09 | 78"));

    assertEquals(32, Sp.backtraceLength(eight));
    assertEquals(-1, Sp.backtraceLength(nine));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "80", "80 00", "80 00 00", "00 00 00 01 | 80 00", "00 00 00 01"})
  void shortBacktracesAreDropped(String bytes) {
    assertEquals(-1, Sp.backtraceLength(hex(bytes)));
  }

  @Test
  void aRequestWithAnEmptyBodyIsJustItsId() {
    assertEquals(4, Sp.backtraceLength(hex("80 00 00 00")));
  }

  @Test
  void socketPathsOver107BytesAreRefusedWithTheLength() throws IOException {
    Path fits = Path.of("/tmp/" + "a".repeat(102));
    Path tooLong = Path.of("/tmp/" + "a".repeat(103));

    assertEquals(fits, Sp.address(fits).getPath());
    IOException e = assertThrows(IOException.class, () -> Sp.address(tooLong));
    assertTrue(e.getMessage().startsWith("socket path is 108 bytes long"), e.getMessage());
  }

  @Test
  void threadNamesCarryRoleAndFileName() {
    assertEquals(
        "kpm-sp-rep-plugin_x.ipc-accept",
        Sp.threadName(Sp.REP, Path.of("/tmp/plugin_x.ipc"), "accept"));
  }

  static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replaceAll("[ |]", ""));
  }

  private static byte[] hops(int count) {
    byte[] words = new byte[4 * count];
    for (int i = 0; i < count; i++) {
      words[4 * i + 3] = (byte) (i + 1);
    }
    return words;
  }

  private static byte[] concat(byte[]... parts) {
    byte[] all = new byte[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}
