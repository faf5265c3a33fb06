using System.Text.Json;
using Gatehouse.Core.Clients;

namespace Gatehouse.Server.Dialects.Arc;

/// <summary>A LoopBack filter as parsed from the query string: the core's query plus the fields to show.</summary>
internal sealed record ArcClientFilter(ClientQuery Query, IReadOnlySet<string>? Fields);

/// <summary>
/// Parses LoopBack's <c>filter</c> / <c>where</c> JSON into the core's <see cref="ClientFilter"/>
/// model. Only names of the AuthClient model and LoopBack's operators are understood; anything
/// else is an error the route answers with 400. The core checks values and limits again.
/// </summary>
internal static class ArcFilterParser
{
    private static readonly Dictionary<string, ClientField> Fields = new(StringComparer.Ordinal)
    {
        ["id"] = ClientField.Id,
        ["clientId"] = ClientField.ClientId,
        ["redirectUrl"] = ClientField.RedirectUrl,
        ["accessTokenExpiration"] = ClientField.AccessTokenExpiration,
        ["refreshTokenExpiration"] = ClientField.RefreshTokenExpiration,
        ["authCodeExpiration"] = ClientField.AuthCodeExpiration,
        ["createdOn"] = ClientField.CreatedOn,
        ["modifiedOn"] = ClientField.ModifiedOn,
        ["deleted"] = ClientField.Deleted,
        ["deletedOn"] = ClientField.DeletedOn,
        ["deletedBy"] = ClientField.DeletedBy,
    };

    /// <summary>Every property of AuthClient, for <c>fields</c> (secrets may be shown, not searched).</summary>
    public static readonly IReadOnlySet<string> ShownFields = new HashSet<string>(Fields.Keys.Concat(["clientSecret", "secret"]), StringComparer.Ordinal);

    private static readonly Dictionary<string, FilterOperator> Operators = new(StringComparer.Ordinal)
    {
        ["eq"] = FilterOperator.Eq,
        ["neq"] = FilterOperator.Neq,
        ["gt"] = FilterOperator.Gt,
        ["gte"] = FilterOperator.Gte,
        ["lt"] = FilterOperator.Lt,
        ["lte"] = FilterOperator.Lte,
        ["inq"] = FilterOperator.Inq,
        ["nin"] = FilterOperator.Nin,
        ["like"] = FilterOperator.Like,
        ["nlike"] = FilterOperator.NLike,
        ["between"] = FilterOperator.Between,
    };

    public sealed class FilterException(string message) : Exception(message);

    /// <summary>The <c>filter</c> parameter; null or empty is "everything".</summary>
    public static ArcClientFilter ParseFilter(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new ArcClientFilter(new ClientQuery(null, [], 0, 0), null);
        }
        using var document = Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FilterException("The filter must be an object.");
        }
        ClientFilter? where = null;
        var order = new List<ClientOrder>();
        HashSet<string>? fields = null;
        var limit = 0;
        var skip = 0;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "where":
                    where = ParseWhere(property.Value, 1);
                    break;
                case "order":
                    order = ParseOrder(property.Value);
                    break;
                case "fields":
                    fields = ParseFields(property.Value);
                    break;
                case "limit":
                    limit = Integer(property.Value, "limit");
                    break;
                case "skip":
                case "offset":
                    skip = Integer(property.Value, property.Name);
                    break;
                case "include":
                    // AuthClient has no relations to include.
                    break;
                default:
                    throw new FilterException($"Unknown filter property '{property.Name}'.");
            }
        }
        return new ArcClientFilter(new ClientQuery(where, order, skip, limit), fields);
    }

    /// <summary>A <c>where</c> parameter on its own (count, PATCH); null or empty is "everything".</summary>
    public static ClientFilter? ParseWhereParameter(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }
        using var document = Parse(json);
        return ParseWhere(document.RootElement, 1);
    }

    private static JsonDocument Parse(string json)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            throw new FilterException("The filter is not valid JSON.");
        }
    }

    private static ClientFilter ParseWhere(JsonElement where, int depth)
    {
        if (depth > ClientFilter.MaxDepth)
        {
            throw new FilterException($"The where filter nests deeper than {ClientFilter.MaxDepth} levels.");
        }
        if (where.ValueKind != JsonValueKind.Object)
        {
            throw new FilterException("A where filter must be an object.");
        }
        var items = new List<ClientFilter>();
        foreach (var property in where.EnumerateObject())
        {
            if (property.Name is "and" or "or")
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    throw new FilterException($"'{property.Name}' takes an array.");
                }
                var parts = property.Value.EnumerateArray().Select(e => ParseWhere(e, depth + 1)).ToList();
                items.Add(property.Name == "and" ? new AllOf(parts) : new AnyOf(parts));
                continue;
            }
            if (!Fields.TryGetValue(property.Name, out var field))
            {
                throw new FilterException($"Unknown or unsearchable field '{property.Name}'.");
            }
            items.Add(ParseCondition(field, property.Value));
        }
        return items.Count == 1 ? items[0] : new AllOf(items);
    }

    private static ClientFilter ParseCondition(ClientField field, JsonElement condition)
    {
        if (condition.ValueKind != JsonValueKind.Object)
        {
            return new Comparison(field, FilterOperator.Eq, [Scalar(condition)]);
        }
        var items = new List<ClientFilter>();
        foreach (var property in condition.EnumerateObject())
        {
            if (!Operators.TryGetValue(property.Name, out var op))
            {
                throw new FilterException($"Unknown operator '{property.Name}'.");
            }
            IReadOnlyList<object?> values;
            if (op is FilterOperator.Inq or FilterOperator.Nin or FilterOperator.Between)
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    throw new FilterException($"'{property.Name}' takes an array.");
                }
                if (property.Value.GetArrayLength() > ClientFilter.MaxListValues)
                {
                    throw new FilterException($"'{property.Name}' takes at most {ClientFilter.MaxListValues} values.");
                }
                values = property.Value.EnumerateArray().Select(Scalar).ToList();
            }
            else
            {
                values = [Scalar(property.Value)];
            }
            items.Add(new Comparison(field, op, values));
        }
        if (items.Count == 0)
        {
            throw new FilterException("An empty condition.");
        }
        return items.Count == 1 ? items[0] : new AllOf(items);
    }

    private static object? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var l) ? l : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => throw new FilterException("A filter value must be a string, number, boolean or null."),
    };

    private static List<ClientOrder> ParseOrder(JsonElement order)
    {
        var entries = order.ValueKind switch
        {
            JsonValueKind.String => [order.GetString()!],
            JsonValueKind.Array when order.GetArrayLength() <= 11 => order.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new FilterException("order takes strings.")).ToList(),
            _ => throw new FilterException("order must be a string or an array of strings."),
        };
        var result = new List<ClientOrder>();
        foreach (var entry in entries)
        {
            var parts = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2 || !Fields.TryGetValue(parts[0], out var field) || field == ClientField.Deleted)
            {
                throw new FilterException($"Cannot order by '{entry}'.");
            }
            var descending = parts.Length == 2 && parts[1].Equals("DESC", StringComparison.OrdinalIgnoreCase);
            if (parts.Length == 2 && !descending && !parts[1].Equals("ASC", StringComparison.OrdinalIgnoreCase))
            {
                throw new FilterException($"Cannot order by '{entry}'.");
            }
            result.Add(new ClientOrder(field, descending));
        }
        return result;
    }

    private static HashSet<string> ParseFields(JsonElement fields)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (fields.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in fields.EnumerateArray())
            {
                names.Add(e.ValueKind == JsonValueKind.String && ShownFields.Contains(e.GetString()!) ? e.GetString()! : throw new FilterException("Unknown field in fields."));
            }
            return names;
        }
        if (fields.ValueKind != JsonValueKind.Object)
        {
            throw new FilterException("fields must be an object or an array.");
        }
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in fields.EnumerateObject())
        {
            if (!ShownFields.Contains(property.Name) || property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw new FilterException($"Unknown field '{property.Name}' in fields.");
            }
            (property.Value.GetBoolean() ? names : excluded).Add(property.Name);
        }
        // LoopBack: only exclusions means "all but these".
        return names.Count > 0 ? names : ShownFields.Where(f => !excluded.Contains(f)).ToHashSet(StringComparer.Ordinal);
    }

    private static int Integer(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) && i >= 0 ? i
        : value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s
        : throw new FilterException($"'{name}' must be a non-negative integer.");
}
