using Gatehouse.Core.Accounts;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Teams;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests;

/// <summary>
/// The storage layer's unit of work, against the configured database (each test runs on SQLite
/// and on PostgreSQL): what the core relies on when it reads a row, changes it and saves.
/// </summary>
public sealed class UnitOfWorkTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    [Fact]
    public async Task A_save_writes_only_the_columns_that_changed_so_a_concurrent_change_to_another_column_survives()
    {
        var email = await NewUserAsync();
        await using var first = Scope();
        await using var second = Scope();
        var mine = (await first.Users.FindByEmailAsync(email))!;
        var theirs = (await second.Users.FindByEmailAsync(email))!;

        theirs.FirstName = "Ada";
        Assert.Equal(SaveOutcome.Saved, (await second.Work.SaveChangesAsync()).Outcome);
        mine.LastName = "Lovelace";
        Assert.Equal(SaveOutcome.Saved, (await first.Work.SaveChangesAsync()).Outcome);

        var stored = await ReadUserAsync(email);
        Assert.Equal("Ada", stored.FirstName);
        Assert.Equal("Lovelace", stored.LastName);
    }

    [Fact]
    public async Task Reading_a_tracked_row_again_returns_the_same_entity_with_its_unsaved_changes()
    {
        var email = await NewUserAsync();
        await using var scope = Scope();
        var user = (await scope.Users.FindByEmailAsync(email))!;
        user.Bio = "not saved yet";

        var again = await scope.Users.FindByIdAsync(user.Id);

        Assert.Same(user, again);
        Assert.Equal("not saved yet", again!.Bio);
        Assert.Null((await ReadUserAsync(email)).Bio);
    }

    [Fact]
    public async Task A_save_refused_by_a_unique_index_inside_a_transaction_undoes_only_that_save()
    {
        var taken = Emails.New();
        var kept = Emails.New();
        await using (var scope = Scope())
        {
            await using var transaction = await scope.Work.BeginTransactionAsync();
            scope.Users.Add(NewUser(taken));
            Assert.Equal(SaveOutcome.Saved, (await scope.Work.SaveChangesAsync()).Outcome);

            scope.Users.Add(NewUser(taken));
            var refused = await scope.Work.SaveChangesAsync();
            Assert.Equal(SaveOutcome.UniqueViolation, refused.Outcome);
            Assert.Contains("email", refused.Constraint, StringComparison.OrdinalIgnoreCase);
            scope.Work.Reset();

            scope.Users.Add(NewUser(kept));
            Assert.Equal(SaveOutcome.Saved, (await scope.Work.SaveChangesAsync()).Outcome);
            await transaction.CommitAsync();
        }

        await using var check = Scope();
        Assert.NotNull(await check.Users.FindByEmailAsync(Normalizer.Email(taken)));
        Assert.NotNull(await check.Users.FindByEmailAsync(Normalizer.Email(kept)));
        var page = await check.Users.ListAsync(Normalizer.Email(taken), 0, 10);
        Assert.Equal(1, page.Total);
    }

    [Fact]
    public async Task A_transaction_ended_without_commit_leaves_nothing_behind()
    {
        var email = Emails.New();
        await using (var scope = Scope())
        {
            await using var transaction = await scope.Work.BeginTransactionAsync();
            scope.Users.Add(NewUser(email));
            Assert.Equal(SaveOutcome.Saved, (await scope.Work.SaveChangesAsync()).Outcome);
        }

        await using var check = Scope();
        Assert.Null(await check.Users.FindByEmailAsync(Normalizer.Email(email)));
    }

    [Fact]
    public async Task A_scope_disposed_synchronously_in_a_transaction_rolls_back_and_frees_the_writer()
    {
        var abandoned = Emails.New();
        using (var scope = factory.Services.CreateScope())
        {
            var work = scope.ServiceProvider.GetRequiredService<IUnitOfWork>();
            _ = await work.BeginTransactionAsync();
            scope.ServiceProvider.GetRequiredService<IUserRepository>().Add(NewUser(abandoned));
            Assert.Equal(SaveOutcome.Saved, (await work.SaveChangesAsync()).Outcome);
        }

        var next = Emails.New();
        await using var after = Scope();
        after.Users.Add(NewUser(next));
        // On SQLite a writer's turn that was never given back would make this wait forever.
        var saved = await after.Work.SaveChangesAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SaveOutcome.Saved, saved.Outcome);
        Assert.Null(await after.Users.FindByEmailAsync(Normalizer.Email(abandoned)));
        Assert.NotNull(await after.Users.FindByEmailAsync(Normalizer.Email(next)));
    }

    [Fact]
    public async Task An_added_row_gets_its_database_number_and_a_removed_row_is_deleted()
    {
        var team = new Team { Id = "team_" + Guid.NewGuid().ToString("N"), Name = "Storage", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        await using (var scope = Scope())
        {
            scope.Teams.Add(team);
            Assert.Equal(SaveOutcome.Saved, (await scope.Work.SaveChangesAsync()).Outcome);
            Assert.True(team.Number > 0);
        }
        await using (var scope = Scope())
        {
            var found = (await scope.Teams.FindAsync(team.Id))!;
            Assert.Equal(team.Number, found.Number);
            scope.Teams.Remove(found);
            Assert.Equal(SaveOutcome.Saved, (await scope.Work.SaveChangesAsync()).Outcome);
        }
        await using var check = Scope();
        Assert.Null(await check.Teams.FindAsync(team.Id));
    }

    [Fact]
    public async Task A_not_equal_filter_also_matches_clients_whose_field_is_empty()
    {
        var prefix = "neq-" + Guid.NewGuid().ToString("N")[..8] + "-";
        await using (var scope = Scope())
        {
            var clients = scope.Services.GetRequiredService<IClientRepository>();
            clients.Add(NewClient(prefix + "short", 300));
            clients.Add(NewClient(prefix + "default", null));
            clients.Add(NewClient(prefix + "long", 900));
            Assert.Equal(SaveOutcome.Saved, (await scope.Work.SaveChangesAsync()).Outcome);
        }
        await using var check = Scope();
        var query = check.Services.GetRequiredService<IClientQueryRepository>();
        var filter = new AllOf(
        [
            new Comparison(ClientField.ClientId, FilterOperator.Like, [prefix + "%"]),
            new Comparison(ClientField.AccessTokenExpiration, FilterOperator.Neq, [300L]),
        ]);

        var found = await query.FindAsync(new ClientQuery(filter, [new ClientOrder(ClientField.ClientId, Descending: false)], 0, 10));

        Assert.Equal([prefix + "default", prefix + "long"], found.Select(c => c.ClientId));
        Assert.Equal(2, await query.CountAsync(filter));
    }

    private async Task<string> NewUserAsync()
    {
        var email = Emails.New();
        await factory.Native().RegisterAsync(email);
        return Normalizer.Email(email);
    }

    private async Task<User> ReadUserAsync(string normalizedEmail)
    {
        await using var scope = Scope();
        return (await scope.Users.FindByEmailAsync(normalizedEmail))!;
    }

    private static User NewUser(string email) => new()
    {
        Id = "usr_" + Guid.NewGuid().ToString("N"),
        Email = email,
        NormalizedEmail = Normalizer.Email(email),
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    private static Client NewClient(string clientId, int? accessTokenLifetime) => new()
    {
        ClientId = clientId,
        Name = clientId,
        AccessTokenLifetimeSeconds = accessTokenLifetime,
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    private StorageScope Scope() => new(factory.Services.CreateAsyncScope());

    private sealed class StorageScope(AsyncServiceScope scope) : IAsyncDisposable
    {
        public IServiceProvider Services => scope.ServiceProvider;
        public IUserRepository Users => Services.GetRequiredService<IUserRepository>();
        public ITeamRepository Teams => Services.GetRequiredService<ITeamRepository>();
        public IUnitOfWork Work => Services.GetRequiredService<IUnitOfWork>();

        public ValueTask DisposeAsync() => scope.DisposeAsync();
    }
}
