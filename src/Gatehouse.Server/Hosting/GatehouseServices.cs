using System.Text.Json.Serialization;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Security;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;
using Gatehouse.Server.Api.Native;
using Gatehouse.Server.Dialects;
using Gatehouse.Server.Dialects.Ccx;
using Gatehouse.Server.Dialects.Fittrackee;
using Gatehouse.Server.Mail;
using Gatehouse.Server.Security;
using Gatehouse.Server.Tokens;
using Gatehouse.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Hosting;

internal static class GatehouseServices
{
    /// <summary>Everything Gatehouse needs, configured from the <c>Gatehouse</c> section.</summary>
    public static WebApplicationBuilder AddGatehouse(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration.GetSection(GatehouseOptions.Section);

        builder.AddGatehouseLogging();

        services.AddOptions<GatehouseOptions>().Bind(config).ValidateOnStart();
        services.AddOptions<RateLimitOptions>().Bind(config.GetSection("RateLimits")).ValidateOnStart();
        services.AddOptions<ReverseProxyOptions>().Bind(config.GetSection("ReverseProxy")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReverseProxyOptions>, ReverseProxyOptionsValidator>();
        services.AddOptions<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>().Configure<IOptions<ReverseProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in proxy.Value.TrustedProxies)
            {
                if (System.Net.IPAddress.TryParse(address, out var ip))
                {
                    forwarded.KnownProxies.Add(ip);
                }
            }
        });
        services.AddOptions<MailLimitOptions>().Bind(config.GetSection("RateLimits")).ValidateOnStart();
        services.AddOptions<TokenOptions>().Bind(config.GetSection("Tokens")).ValidateOnStart();
        services.AddOptions<PasswordOptions>().Bind(config.GetSection("Passwords")).ValidateOnStart();
        services.AddOptions<RegistrationOptions>().Bind(config.GetSection("Registration")).ValidateOnStart();
        services.AddOptions<SignInOptions>().Bind(config.GetSection("SignIn")).ValidateOnStart();
        services.AddOptions<DatabaseOptions>().Bind(config.GetSection("Database")).ValidateOnStart();
        services.AddOptions<Core.Common.LinkOptions>().Bind(config.GetSection("Links"))
            .Configure<IOptions<GatehouseOptions>>((links, gatehouse) => links.PublicBaseUrl = gatehouse.Value.PublicBaseUrl).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Core.Common.LinkOptions>, Core.Common.LinkOptionsValidator>();
        services.AddSingleton<IValidateOptions<GatehouseOptions>, GatehouseOptionsValidator>();
        services.AddSingleton<IValidateOptions<TokenOptions>, TokenOptionsValidator>();
        services.AddSingleton<IValidateOptions<PasswordOptions>, PasswordOptionsValidator>();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton<IValidateOptions<MailLimitOptions>, MailLimitOptionsValidator>();
        services.AddSingleton<IValidateOptions<SignInOptions>, SignInOptionsValidator>();

        // Storage: the provider is needed at registration time.
        var database = config.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        var dataDirectory = config["DataDirectory"] is { Length: > 0 } dir ? dir : new GatehouseOptions().DataDirectory;
        var connectionString = database.ConnectionString is { Length: > 0 } cs ? cs : StorageServiceCollectionExtensions.DefaultSqliteConnectionString(dataDirectory);
        services.AddGatehouseStorage(database.ParsedProvider, connectionString);

        services.TryAddSingleton(TimeProvider.System);

        // First hosted service: migrations run before anything (Data Protection's key ring
        // included) reads the database.
        services.AddHostedService<DatabaseInitializer>();

        // Secrets at rest: Data Protection. On PostgreSQL its key ring lives in the database, so
        // every instance shares it. On SQLite (one instance) it lives beside the database file:
        // the key ring may rotate in the middle of a write transaction, and SQLite's single
        // writer would then wait for itself.
        var dataProtection = services.AddDataProtection().SetApplicationName("Gatehouse");
        if (database.ParsedProvider == DatabaseProvider.Postgres)
        {
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
                new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<DataProtectionKeyStore>())));
        }
        else
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetFullPath(dataDirectory), "keys")));
        }
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();

        // The core.
        services.AddSingleton<IPasswordHasher, Argon2idPasswordHasher>();
        services.AddSingleton<IPasswordPolicy, PasswordPolicy>();
        services.AddSingleton<SessionStateCache>();
        services.AddSingleton<UserReadCache>();
        services.AddSingleton<IUserChangeListener>(sp => sp.GetRequiredService<UserReadCache>());
        services.AddSingleton<BearerAuthenticator>();
        services.AddSingleton<Core.Clients.SignInOtpHasher>();
        services.AddSingleton<SuccessorVault>();
        services.AddScoped<SessionService>();
        services.AddScoped<SignInService>();
        services.AddScoped<AccountService>();
        services.AddScoped<CookieSessionService>();
        services.AddScoped<AdminService>();
        services.AddScoped<Core.Teams.TeamService>();
        services.AddScoped<InvitationService>();
        services.AddScoped<OneTimeTokenService>();
        services.AddScoped<MailOutbox>();
        services.AddScoped<MailDispatcher>();
        services.AddScoped<Core.Pictures.PictureService>();
        services.AddSingleton<Core.Pictures.IPictureStore>(new FilePictureStore(Path.Combine(dataDirectory, "pictures")));
        services.AddScoped<Core.Clients.ClientSignInService>();
        services.AddScoped<Core.Clients.ClientQueryService>();
        services.AddScoped<SignUpLinkService>();

        // Tokens and mail.
        services.AddSingleton<SigningKeyManager>();
        services.AddSingleton<JwtAccessTokenService>();
        services.AddSingleton<IAccessTokenService>(sp => sp.GetRequiredService<JwtAccessTokenService>());
        services.AddGatehouseMail(config.GetSection("Smtp"));

        // Dialects: each registers its options (bound and validated at start-up), itself and its
        // JSON context (<Name>Dialect.Add, which ends in services.AddDialect<T>(config, "name", context)).
        services.AddSingleton<Dialects.DialectRegistry>();
        Dialects.Keymetrics.KeymetricsDialect.Add(services, config);
        CcxDialect.Add(services, config);
        FittrackeeDialect.Add(services, config);
        Dialects.Arc.ArcDialect.Add(services, config);

        // HTTP.
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDefaults.Apply);
        services.AddGatehouseRateLimiting();
        services.ConfigureHttpJsonOptions(o =>
        {
            // Every type an endpoint reads or writes, and every type the OpenAPI document
            // describes, comes from a source-generated context: the native API's first, then each
            // dialect's (added by AddDialect).
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, NativeJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, Api.Admin.TeamJsonContext.Default);
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        // No reflection fallback, in tests as in the Native AOT binary (which has none): a type
        // missing from the contexts fails the tests instead of only the published server.
        services.PostConfigure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o =>
        {
            var chain = o.SerializerOptions.TypeInfoResolverChain;
            for (var i = chain.Count - 1; i >= 0; i--)
            {
                if (chain[i] is System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver)
                {
                    chain.RemoveAt(i);
                }
            }
        });
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Gatehouse";
            document.Info.Description = "Gatehouse's native account and admin API. Dialects are documented in the README.";
            return Task.CompletedTask;
        }));
        return builder;
    }
}
