using Gatehouse.Core.Common;
using Gatehouse.Storage.Sql;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the unit of work (one per scope), the repositories and the readers outside it.</summary>
    public static IServiceCollection AddGatehouseStorage(this IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        var connections = new DatabaseConnections(provider, connectionString);
        services.AddSingleton(connections);
        services.AddSingleton<UserChangeNotifier>();
        services.AddScoped<SqlSession>();
        services.AddScoped<IUnitOfWork>(sp => sp.GetRequiredService<SqlSession>());
        services.AddScoped<IUserRepository, SqlUserRepository>();
        services.AddScoped<ISessionRepository, SqlSessionRepository>();
        services.AddScoped<IOneTimeTokenRepository, SqlOneTimeTokenRepository>();
        services.AddScoped<IOutboxRepository, SqlOutboxRepository>();
        services.AddScoped<IAuditLog, SqlAuditLog>();
        services.AddScoped<IClientRepository, SqlClientRepository>();
        services.AddScoped<Gatehouse.Core.Teams.ITeamRepository, SqlTeamRepository>();
        services.AddScoped<Gatehouse.Core.Clients.IUserClientRepository, SqlUserClientRepository>();
        services.AddScoped<Gatehouse.Core.Clients.ISignInOtpRepository, SqlSignInOtpRepository>();
        services.AddScoped<Gatehouse.Core.Clients.IClientQueryRepository, SqlClientQueryRepository>();
        if (provider == DatabaseProvider.Postgres)
        {
            services.AddSingleton(new DetachedReads(connections));
            services.AddSingleton<IRefreshRotationStore, PostgresRefreshRotationStore>();
        }
        else
        {
            services.AddSingleton<SqliteReaders>();
            services.AddSingleton(sp => new DetachedReads(connections, sp.GetRequiredService<SqliteReaders>()));
            services.AddSingleton<SqliteRotationWriter>();
            services.AddSingleton<IRefreshRotationStore, SqliteRefreshRotationStore>();
        }
        services.AddSingleton<ISessionStateReader, SqlSessionStateReader>();
        services.AddSingleton<IUserReader, SqlUserReader>();
        services.AddSingleton<ISessionSecretReader, SqlSessionSecretReader>();
        services.AddSingleton<ISigningKeyRepository, SqlSigningKeyRepository>();
        services.AddSingleton<IServerSecretStore, SqlServerSecretStore>();
        services.AddSingleton<DataProtectionKeyStore>();
        services.AddSingleton<MigrationRunner>();
        return services;
    }

    /// <summary>The SQLite connection string for a data directory.</summary>
    public static string DefaultSqliteConnectionString(string dataDirectory) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "gatehouse.db"),
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
}
