/**
 * The standalone launcher (not in the WAR): embedded PostgreSQL and embedded Tomcat running kpm.war
 * in one JVM that kpm owns.
 */
package dev.kpm.launcher;
