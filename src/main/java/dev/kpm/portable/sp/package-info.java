/**
 * The nanomsg SP protocols REQ, REP, PUSH and PULL over Unix-domain sockets in plain Java 17: no
 * JNI, no native library.
 */
package dev.kpm.portable.sp;
