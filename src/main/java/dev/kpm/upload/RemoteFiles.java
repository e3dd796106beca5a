package dev.kpm.upload;

/**
 * Reads a small text file named by a URL ({@code http}, {@code https} or {@code file}) with kpm's
 * downloader and its policy (docs/api.md §1.5): the {@code file} of eKuiper's {@code POST
 * /data/import} (§8.19). {@link Uploads} is kpm's.
 */
public interface RemoteFiles {
  /**
   * The file's content as UTF-8, at most {@code kpm.http.maxBodyBytes} bytes.
   *
   * @throws UploadException 400 with the cause as eKuiper's {@code httpx.ReadFile} words it
   */
  String read(String url);
}
