/**
 * Who may call kpm: the one servlet filter in front of everything ({@link SecurityFilter}), the
 * three ways in (kpm API tokens, eKuiper's RS256 JWTs, OpenID Connect JWTs) that all end in one
 * {@link Caller}, the role table ({@link AccessRules}), protected mode and the request limits.
 */
package dev.kpm.security;
