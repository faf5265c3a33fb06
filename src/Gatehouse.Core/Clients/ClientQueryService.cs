using Gatehouse.Core.Admin;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Clients;

/// <summary>
/// Administrators' queries over clients by a filter tree, and changes to every client a filter
/// matches. Filters are checked and typed here; storage turns them into parameterised queries.
/// </summary>
public sealed class ClientQueryService(IClientRepository clients, IClientQueryRepository queries, AdminService admin)
{
    /// <summary>The most clients one filtered change may touch.</summary>
    public const int MaxUpdated = 1000;

    public async Task<Result<Client[]>> FindAsync(ClientQuery query, CancellationToken cancellationToken = default)
    {
        var where = Normalize(query.Where);
        if (!where.Succeeded)
        {
            return where.Error!;
        }
        if (query.Skip < 0 || query.Limit < 0)
        {
            return CoreErrors.Validation("limit", "invalid", "skip and limit must not be negative.");
        }
        var limit = query.Limit == 0 ? ClientQuery.MaxLimit : Math.Min(query.Limit, ClientQuery.MaxLimit);
        return (await queries.FindAsync(query with { Where = where.Value, Limit = limit }, cancellationToken)).ToArray();
    }

    public async Task<Result<int>> CountAsync(ClientFilter? where, CancellationToken cancellationToken = default)
    {
        var normalized = Normalize(where);
        return normalized.Succeeded ? await queries.CountAsync(normalized.Value, cancellationToken) : normalized.Error!;
    }

    public async Task<Result<Client>> GetByNumberAsync(long number, CancellationToken cancellationToken = default) =>
        await clients.FindByNumberAsync(number, cancellationToken) is { IsDeleted: false } client ? client : CoreErrors.NotFound;

    /// <summary>Applies one change to every (not deleted) client the filter matches; returns how many.</summary>
    public async Task<Result<int>> UpdateWhereAsync(ClientFilter? where, ClientChange change, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var normalized = Normalize(where);
        if (!normalized.Succeeded)
        {
            return normalized.Error!;
        }
        if (change.ClientId is not null)
        {
            return CoreErrors.Validation("clientId", "immutable", "The client id cannot be changed by a filtered update.");
        }
        var valid = admin.ValidateClientChange(change);
        if (!valid.Succeeded)
        {
            return valid.Error!;
        }
        var matching = await queries.FindForUpdateAsync(normalized.Value, MaxUpdated, cancellationToken);
        foreach (var client in matching)
        {
            var updated = await admin.UpdateClientAsync(client.ClientId, change, actorId, context, cancellationToken);
            if (!updated.Succeeded)
            {
                return updated.Error!;
            }
        }
        return matching.Count;
    }

    private static Result<ClientFilter?> Normalize(ClientFilter? where)
    {
        if (where is null)
        {
            return (ClientFilter?)null;
        }
        var normalized = ClientQueries.Normalize(where);
        return normalized.Succeeded ? normalized.Value : normalized.Error!;
    }
}
