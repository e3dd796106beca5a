package dev.kpm;

import dev.kpm.api.AuditResource;
import dev.kpm.api.AuthResource;
import dev.kpm.api.CompatResource;
import dev.kpm.api.DataResource;
import dev.kpm.api.EventsResource;
import dev.kpm.api.FleetResource;
import dev.kpm.api.FunctionRegisterResource;
import dev.kpm.api.HealthResource;
import dev.kpm.api.InventoryResource;
import dev.kpm.api.JobsResource;
import dev.kpm.api.MetadataResource;
import dev.kpm.api.NativePluginsResource;
import dev.kpm.api.OpenApiResource;
import dev.kpm.api.PluginNodesResource;
import dev.kpm.api.PortablePluginsResource;
import dev.kpm.api.PortableSymbolsResource;
import dev.kpm.api.ServerInfoResource;
import dev.kpm.api.ServiceGate;
import dev.kpm.api.StrictSlashFilter;
import dev.kpm.api.UdfsResource;
import dev.kpm.api.UploadsResource;
import dev.kpm.api.error.AuditQueryMapper;
import dev.kpm.api.error.DatabaseUnavailableMapper;
import dev.kpm.api.error.PluginExceptionMapper;
import dev.kpm.api.error.SecurityExceptionMapper;
import dev.kpm.api.error.UnexpectedExceptionMapper;
import dev.kpm.api.error.UploadExceptionMapper;
import dev.kpm.api.error.WebApplicationExceptionMapper;
import dev.kpm.audit.AuditReads;
import dev.kpm.events.EventBus;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.install.JobControl;
import dev.kpm.install.PluginChanges;
import dev.kpm.install.PluginCompat;
import dev.kpm.install.PortableChanges;
import dev.kpm.plugin.PluginReads;
import dev.kpm.portable.PortableOperations;
import dev.kpm.security.TokenAdmin;
import dev.kpm.upload.RemoteFiles;
import dev.kpm.upload.UploadService;
import java.time.Clock;
import java.util.function.BooleanSupplier;
import org.glassfish.jersey.inject.hk2.AbstractBinder;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The JAX-RS application. Resources are instances built here from the services, so nothing depends
 * on HK2 or CDI discovery (which differ between Tomcat and Payara).
 */
public final class KpmApplication extends ResourceConfig {
  public KpmApplication(Services services, BooleanSupplier stopped) {
    register(new ServiceGate(stopped, services.health()));
    register(new ServerInfoResource(services.started(), Clock.systemUTC()));
    register(new HealthResource(services.health()));
    register(new OpenApiResource());
    register(
        new AbstractBinder() {
          @Override
          protected void configure() {
            bind(services.plugins()).to(PluginReads.class);
            bind(services.installs()).to(PluginChanges.class);
            bind(services.compat()).to(PluginCompat.class);
            bind(services.jobs()).to(JobControl.class);
            bind(services.events()).to(EventBus.class);
            bind(services.portables()).to(PortableChanges.class);
            bind(services.runtime()).to(PortableOperations.class);
            bind(services.tokens()).to(TokenAdmin.class);
            bind(services.audit()).to(AuditReads.class);
            bind(services.uploads()).to(UploadService.class);
            bind(services.fleet()).to(FleetNodes.class);
            bind(services.files()).to(RemoteFiles.class);
          }
        });
    register(NativePluginsResource.class);
    register(CompatResource.class);
    register(InventoryResource.class);
    register(JobsResource.class);
    register(EventsResource.class);
    register(FunctionRegisterResource.class);
    register(PortablePluginsResource.class);
    register(PortableSymbolsResource.class);
    register(UdfsResource.class);
    register(MetadataResource.class);
    register(AuthResource.class);
    register(AuditResource.class);
    register(UploadsResource.class);
    register(FleetResource.class);
    register(PluginNodesResource.class);
    register(PluginNodesResource.Portables.class);
    register(DataResource.class);
    register(StrictSlashFilter.class);
    register(PluginExceptionMapper.class);
    register(DatabaseUnavailableMapper.class);
    register(SecurityExceptionMapper.Tokens.class);
    register(SecurityExceptionMapper.Auth.class);
    register(AuditQueryMapper.class);
    register(UploadExceptionMapper.class);
    register(WebApplicationExceptionMapper.class);
    register(UnexpectedExceptionMapper.class);
    register(JacksonFeature.withoutExceptionMappers());
    property(ServerProperties.WADL_FEATURE_DISABLE, true);
    property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
  }
}
