package dev.kpm.api.dto;

/** eKuiper's error envelope {@code {"error":<code>,"message":"<text>"}}. */
public record ErrorBody(int error, String message) {}
