using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Gatehouse.Server.Dialects;

internal static class DialectHosting
{
    /// <summary>
    /// Registers a dialect; its options come from <c>Gatehouse:Dialects:&lt;name&gt;</c>. Its
    /// source-generated JSON context joins the HTTP JSON options, so its wire types bind as
    /// request bodies and appear in the OpenAPI document (there is no reflection fallback).
    /// </summary>
    public static IServiceCollection AddDialect<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TDialect>(
        this IServiceCollection services, IConfiguration gatehouse, string name, System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver json)
        where TDialect : class, IDialect
    {
        services.AddOptions<DialectOptions>(name).Bind(gatehouse.GetSection($"Dialects:{name}")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DialectOptions>, DialectOptionsValidator>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(json));
        services.AddSingleton<IDialect, TDialect>();
        return services;
    }

    /// <summary>
    /// Registers a dialect with options of its own (derived from <see cref="DialectOptions"/>,
    /// section <c>Gatehouse:Dialects:&lt;name&gt;</c>), validated at start-up by
    /// <typeparamref name="TValidator"/>. <paramref name="bind"/> is the dialect's
    /// <c>(options, section) =&gt; options.Bind(section)</c>: written where the options type is
    /// concrete, so the configuration binder's source generator (Native AOT) can bind it.
    /// </summary>
    public static IServiceCollection AddDialect<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TDialect,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(
        this IServiceCollection services, IConfiguration gatehouse, string name, System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver json,
        Action<OptionsBuilder<TOptions>, IConfiguration> bind)
        where TDialect : class, IDialect
        where TOptions : DialectOptions
        where TValidator : class, IValidateOptions<TOptions>
    {
        var options = services.AddOptions<TOptions>();
        bind(options, gatehouse.GetSection($"Dialects:{name}"));
        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddDialect<TDialect>(gatehouse, name, json);
    }

    /// <summary>
    /// Mounts every enabled dialect at its base path, and refuses to start when two of them
    /// claim the same method and path.
    /// </summary>
    public static IEndpointRouteBuilder MapDialects(this WebApplication app)
    {
        var registry = app.Services.GetRequiredService<DialectRegistry>();
        foreach (var mounted in registry.Mounted)
        {
            var group = app.MapGroup(mounted.BasePath).WithMetadata(mounted).WithTags("Dialect: " + mounted.Dialect.Name);
            mounted.Dialect.Map(group);
        }
        CheckForClashes(app);
        return app;
    }

    private static void CheckForClashes(IEndpointRouteBuilder app)
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in app.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<MountedDialect>() is not { } owner || endpoint.Metadata.GetMetadata<SharedRouteMetadata>() is not null)
            {
                continue;
            }
            var route = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(Segment));
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
            {
                var key = method + " " + route;
                if (seen.TryGetValue(key, out var other) && other != owner.Dialect.Name)
                {
                    throw new InvalidOperationException(
                        $"Dialects '{other}' and '{owner.Dialect.Name}' both claim {key}. Move one with Gatehouse:Dialects:<name>:BasePath or switch one off with Gatehouse:Dialects:<name>:Enabled=false.");
                }
                seen[key] = owner.Dialect.Name;
            }
        }
    }

    private static string Segment(RoutePatternPathSegment segment) =>
        string.Concat(segment.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart => "{}",
            _ => "?",
        }));

    /// <summary>
    /// Writes the error body for a bodiless failure: the owning dialect's shape under a dialect's
    /// base path, problem details everywhere else.
    /// </summary>
    public static async Task WriteErrorAsync(HttpContext context, int status)
    {
        if (DialectPaths.Mounted(context) is { } dialect)
        {
            await dialect.Dialect.WriteErrorAsync(context, status);
            return;
        }
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status },
        });
    }

    /// <summary>The exception handler: a 4xx for a bad request body, a bare 500 otherwise; never the exception's text.</summary>
    public static async Task HandleExceptionAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var status = error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
        context.Response.StatusCode = status;
        await WriteErrorAsync(context, status);
    }
}

/// <summary>Marks a route two dialects may both declare on purpose (CONTRACTS.md: <c>GET /auth/me</c>).</summary>
public sealed record SharedRouteMetadata;
