using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>
/// Golden JSON files pin a wire shape: every property name, every JSON type, and every value
/// that does not vary. A golden value may be a placeholder that matches a kind of value:
/// <c>"&lt;string&gt;"</c>, <c>"&lt;string?&gt;"</c> (string or null), <c>"&lt;number&gt;"</c>,
/// <c>"&lt;integer&gt;"</c>, <c>"&lt;bool&gt;"</c>, <c>"&lt;jwt&gt;"</c>, <c>"&lt;iso8601&gt;"</c>,
/// <c>"&lt;rfc1123&gt;"</c>, <c>"&lt;any&gt;"</c>; anything else must be equal.
/// Extra properties in the actual body fail the comparison too: a golden file is the whole shape.
/// </summary>
public static partial class Golden
{
    /// <summary>Compares a body with <c>Golden/&lt;relativePath&gt;</c> beside the test sources (copied to the output).</summary>
    public static void AssertMatches(string relativePath, string actualJson)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", relativePath);
        Assert.True(File.Exists(path), $"Golden file missing: {path}. Actual body:\n{actualJson}");
        using var golden = JsonDocument.Parse(File.ReadAllText(path));
        using var actual = JsonDocument.Parse(actualJson);
        var problems = new List<string>();
        Compare(golden.RootElement, actual.RootElement, "$", problems);
        Assert.True(problems.Count == 0, $"{relativePath} does not match:\n{string.Join('\n', problems)}\nActual body:\n{actualJson}");
    }

    private static void Compare(JsonElement golden, JsonElement actual, string at, List<string> problems)
    {
        if (golden.ValueKind == JsonValueKind.String && golden.GetString() is { } s && s.StartsWith('<') && s.EndsWith('>'))
        {
            if (!MatchesPlaceholder(s, actual))
            {
                problems.Add($"{at}: expected {s}, got {actual.ValueKind} {actual.GetRawText()}");
            }
            return;
        }
        if (golden.ValueKind != actual.ValueKind)
        {
            problems.Add($"{at}: expected {golden.ValueKind}, got {actual.ValueKind} {actual.GetRawText()}");
            return;
        }
        switch (golden.ValueKind)
        {
            case JsonValueKind.Object:
                var goldenNames = golden.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var property in golden.EnumerateObject())
                {
                    if (actual.TryGetProperty(property.Name, out var value))
                    {
                        Compare(property.Value, value, $"{at}.{property.Name}", problems);
                    }
                    else
                    {
                        problems.Add($"{at}: missing property '{property.Name}'");
                    }
                }
                foreach (var property in actual.EnumerateObject().Where(p => !goldenNames.Contains(p.Name)))
                {
                    problems.Add($"{at}: unexpected property '{property.Name}'");
                }
                break;
            case JsonValueKind.Array:
                var g = golden.EnumerateArray().ToList();
                var a = actual.EnumerateArray().ToList();
                if (g.Count != a.Count)
                {
                    problems.Add($"{at}: expected {g.Count} items, got {a.Count}");
                    return;
                }
                for (var i = 0; i < g.Count; i++)
                {
                    Compare(g[i], a[i], $"{at}[{i}]", problems);
                }
                break;
            default:
                if (golden.GetRawText() != actual.GetRawText())
                {
                    problems.Add($"{at}: expected {golden.GetRawText()}, got {actual.GetRawText()}");
                }
                break;
        }
    }

    private static bool MatchesPlaceholder(string placeholder, JsonElement actual) => placeholder switch
    {
        "<any>" => true,
        "<string>" => actual.ValueKind == JsonValueKind.String,
        "<string?>" => actual.ValueKind is JsonValueKind.String or JsonValueKind.Null,
        "<number>" => actual.ValueKind == JsonValueKind.Number,
        "<integer>" => actual.ValueKind == JsonValueKind.Number && actual.TryGetInt64(out _),
        "<bool>" => actual.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "<jwt>" => actual.ValueKind == JsonValueKind.String && JwtPattern().IsMatch(actual.GetString()!),
        "<iso8601>" => actual.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(actual.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _),
        "<rfc1123>" => actual.ValueKind == JsonValueKind.String && DateTime.TryParseExact(actual.GetString(), "r", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        _ => throw new InvalidOperationException($"Unknown golden placeholder {placeholder}"),
    };

    [GeneratedRegex(@"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")]
    private static partial Regex JwtPattern();
}
