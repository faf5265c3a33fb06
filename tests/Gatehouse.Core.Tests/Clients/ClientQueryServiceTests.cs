using Gatehouse.Core.Admin;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Tests.Fakes;

namespace Gatehouse.Core.Tests.Clients;

/// <summary>ClientQueryService over the in-memory query repository: checks, limits and filtered changes.</summary>
public sealed class ClientQueryServiceTests
{
    private readonly CoreHarness _h = new();

    private async Task SeedAsync()
    {
        await _h.CreateClientAsync("alpha", accessSeconds: 60);
        await _h.CreateClientAsync("beta", accessSeconds: 600);
        await _h.CreateClientAsync("gamma");
        await _h.Admin.DeleteClientAsync("gamma", "usr_admin", CoreHarness.Native);
    }

    private static Comparison Where(ClientField field, FilterOperator op, params object?[] values) => new(field, op, values);

    [Fact]
    public async Task A_query_gets_its_values_typed_and_never_lists_deleted_clients()
    {
        await SeedAsync();

        var found = await _h.ClientQueries.FindAsync(new ClientQuery(Where(ClientField.AccessTokenExpiration, FilterOperator.Gte, "60"), [], 0, 0));
        var all = await _h.ClientQueries.FindAsync(new ClientQuery(null, [new ClientOrder(ClientField.ClientId, true)], 0, 0));

        Assert.Equal(["alpha", "beta"], found.Value.Select(c => c.ClientId));
        Assert.Equal(["beta", "alpha"], all.Value.Select(c => c.ClientId));
        Assert.Equal(2, (await _h.ClientQueries.CountAsync(null)).Value);
    }

    [Fact]
    public async Task A_limit_of_zero_or_above_the_maximum_asks_for_the_maximum()
    {
        var scope = _h.Scope();

        await scope.ClientQueries.FindAsync(new ClientQuery(null, [], 0, 0));
        Assert.Equal(ClientQuery.MaxLimit, scope.ClientQueryStore.LastQuery!.Limit);
        await scope.ClientQueries.FindAsync(new ClientQuery(null, [], 0, 5000));
        Assert.Equal(ClientQuery.MaxLimit, scope.ClientQueryStore.LastQuery!.Limit);
        await scope.ClientQueries.FindAsync(new ClientQuery(null, [], 0, 7));
        Assert.Equal(7, scope.ClientQueryStore.LastQuery!.Limit);
    }

    [Fact]
    public async Task A_negative_skip_is_refused()
    {
        Assert.Equal(CoreErrors.ValidationFailedCode, (await _h.ClientQueries.FindAsync(new ClientQuery(null, [], -1, 10))).Error?.Code);
    }

    [Fact]
    public async Task A_filter_the_checks_refuse_reaches_no_query()
    {
        var scope = _h.Scope();

        var wrongType = await scope.ClientQueries.FindAsync(new ClientQuery(Where(ClientField.CreatedOn, FilterOperator.Gt, 5L), [], 0, 0));
        var badCount = await scope.ClientQueries.CountAsync(Where(ClientField.Id, FilterOperator.Between, 1L));

        Assert.Equal(["type"], wrongType.Error!.Fields["createdOn"]);
        Assert.Equal(["value_count"], badCount.Error!.Fields["id"]);
        Assert.Null(scope.ClientQueryStore.LastQuery);
    }

    [Fact]
    public async Task A_filtered_change_applies_to_every_matching_client_and_reports_how_many()
    {
        await SeedAsync();

        var updated = await _h.ClientQueries.UpdateWhereAsync(Where(ClientField.ClientId, FilterOperator.Like, "%a"), new ClientChange { AccessTokenLifetimeSeconds = 30 }, "usr_admin", CoreHarness.Native);

        Assert.Equal(2, updated.Value);
        Assert.All(_h.Database.Select<Client>(_h.Database.Clients, c => !c.IsDeleted), c => Assert.Equal(30, c.AccessTokenLifetimeSeconds));
        Assert.Null(_h.Database.Get<Client>(_h.Database.Clients, "gamma")!.AccessTokenLifetimeSeconds);
    }

    [Fact]
    public async Task A_filtered_change_cannot_change_client_ids()
    {
        await SeedAsync();

        var refused = await _h.ClientQueries.UpdateWhereAsync(null, new ClientChange { ClientId = "same" }, "usr_admin", CoreHarness.Native);

        Assert.Equal(["immutable"], refused.Error!.Fields["clientId"]);
    }

    [Fact]
    public async Task A_deleted_client_is_not_found_by_number()
    {
        await SeedAsync();
        var gamma = _h.Database.Get<Client>(_h.Database.Clients, "gamma")!;
        var alpha = _h.Database.Get<Client>(_h.Database.Clients, "alpha")!;

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.ClientQueries.GetByNumberAsync(gamma.Number)).Error?.Code);
        Assert.Equal("alpha", (await _h.ClientQueries.GetByNumberAsync(alpha.Number)).Value.ClientId);
    }
}
