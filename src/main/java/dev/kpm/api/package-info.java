/** JAX-RS resources: HTTP in, one service call, a wire record out. */
package dev.kpm.api;
