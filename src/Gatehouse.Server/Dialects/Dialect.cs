using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Dialects;

/// <summary>
/// Section <c>Gatehouse:Dialects:&lt;name&gt;</c>: what every dialect has. A dialect's own options
/// class derives from it, so the switch and the base path sit beside its other settings.
/// </summary>
public class DialectOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Where the dialect is mounted; null for its default.</summary>
    public string? BasePath { get; set; }
}

/// <summary>
/// A dialect: another product's authentication API served over the core. It owns its routes,
/// its wire DTOs, its error body and one mapper from core results to HTTP; no business logic
/// (see docs/dialects.md).
/// </summary>
public interface IDialect
{
    /// <summary>Configuration name (<c>keymetrics</c>, <c>arc</c>, <c>intercode</c>, <c>ccx</c>, <c>fittrackee</c>).</summary>
    string Name { get; }

    string DefaultBasePath { get; }

    /// <summary>Maps the dialect's routes on a group at its base path.</summary>
    void Map(RouteGroupBuilder group);

    /// <summary>
    /// Writes the dialect's own error body for a failure the framework produced under its base
    /// path: unknown route (404), wrong method (405), unreadable body (400, 413, 415), or an
    /// unhandled exception (500).
    /// </summary>
    Task WriteErrorAsync(HttpContext context, int status);
}

/// <summary>A dialect as mounted: its options resolved and its base path normalised.</summary>
public sealed record MountedDialect(IDialect Dialect, string BasePath)
{
    /// <summary>True when <paramref name="path"/> lies under the base path (on a segment boundary).</summary>
    public bool Owns(PathString path) => Owns(BasePath, path);

    public static bool Owns(string basePath, PathString path)
    {
        if (basePath == "/")
        {
            return true;
        }
        var value = path.Value ?? "";
        return value.StartsWith(basePath, StringComparison.OrdinalIgnoreCase)
            && (value.Length == basePath.Length || value[basePath.Length] == '/');
    }
}

/// <summary>The enabled dialects, and which one answers for a path.</summary>
public sealed class DialectRegistry
{
    /// <summary>Paths the native API owns; they count in the longest-prefix rule like a dialect's base path.</summary>
    private static readonly string[] NativePrefixes = ["/api/v1", "/health", "/.well-known", "/openapi", "/docs"];

    public DialectRegistry(IEnumerable<IDialect> dialects, IOptionsMonitor<DialectOptions> options)
    {
        var mounted = new List<MountedDialect>();
        foreach (var dialect in dialects)
        {
            var o = options.Get(dialect.Name);
            if (o.Enabled)
            {
                mounted.Add(new MountedDialect(dialect, DialectOptionsValidator.Normalise(o.BasePath ?? dialect.DefaultBasePath)));
            }
        }
        Mounted = mounted;
    }

    public IReadOnlyList<MountedDialect> Mounted { get; }

    /// <summary>
    /// The dialect that answers for a path: the enabled one with the longest base path that
    /// prefixes it, unless a native prefix is longer (CONTRACTS.md, rules for every dialect).
    /// </summary>
    public MountedDialect? Resolve(PathString path)
    {
        MountedDialect? best = null;
        foreach (var m in Mounted)
        {
            if (m.Owns(path) && (best is null || m.BasePath.Length > best.BasePath.Length))
            {
                best = m;
            }
        }
        if (best is null)
        {
            return null;
        }
        var nativeLength = NativePrefixes.Where(p => MountedDialect.Owns(p, path)).Select(p => p.Length).DefaultIfEmpty(0).Max();
        return nativeLength > (best.BasePath == "/" ? 0 : best.BasePath.Length) ? null : best;
    }
}

/// <summary>Checks the base path of every dialect (named options, one per dialect) at start-up.</summary>
internal sealed class DialectOptionsValidator : IValidateOptions<DialectOptions>
{
    public ValidateOptionsResult Validate(string? name, DialectOptions options)
    {
        if (options.BasePath is not { } basePath)
        {
            return ValidateOptionsResult.Success;
        }
        var trimmed = basePath.Trim();
        return trimmed.StartsWith('/') && !trimmed.Contains("//", StringComparison.Ordinal) && !trimmed.Any(char.IsWhiteSpace)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Gatehouse:Dialects:{name}:BasePath must be a path starting with '/', such as /api/auth (it is '{basePath}').");
    }

    public static string Normalise(string basePath)
    {
        var trimmed = basePath.Trim();
        return trimmed.Length > 1 ? trimmed.TrimEnd('/') : trimmed;
    }
}
