/**
 * JAX-RS resources: HTTP in, one service call, a wire record out. One servlet filter, {@link
 * dev.kpm.api.FastReads}, answers the registry's successful list and describe reads ahead of JAX-RS
 * with the bytes the resources would send ({@link dev.kpm.api.ReadBodies}).
 */
package dev.kpm.api;
