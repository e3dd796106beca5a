package dev.kpm.upload;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * eKuiper's configuration uploads as the API calls them (docs/api.md §11): files in {@code
 * <home>/data/uploads}, saved from a multipart form, from JSON text or from a URL, listed and
 * deleted. kpm's is {@link Uploads}; the HTTP contract tests bind an in-memory one. Every refusal
 * is an {@link UploadException}.
 */
public interface UploadService {

  /** The absolute paths of the stored files, sorted by name; hidden names are never listed. */
  List<Path> list();

  /**
   * Saves the {@code uploadFile} part of a {@code multipart/form-data} body, read as it arrives.
   *
   * @param contentType the request's Content-Type, which carries the boundary
   */
  Upload saveForm(String contentType, InputStream body);

  /** Saves from a JSON body: {@code {"name","content"}} or {@code {"name","file"}} (a URL). */
  Upload saveJson(InputStream body);

  /** Deletes a stored file. */
  void delete(String name);
}
