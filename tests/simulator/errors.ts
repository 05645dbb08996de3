import { SimResponse, dvError } from './util';

/** Thrown inside Dataverse handlers; turned into the `{"error":{code,message}}` body. */
export class DataverseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** inner Flow code for FlowServiceClientError, logged instead of the hex code */
    readonly logCode?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toResponse(): SimResponse {
    return dvError(this.status, this.code, this.message, this.headers, this.logCode ?? this.code);
  }
}

/** Code used for malformed queries and payloads (guess: the Web API's generic OData error code). */
export const QUERY_ERROR = '0x80060888';

export function badQuery(message: string): DataverseError {
  return new DataverseError(400, QUERY_ERROR, message);
}

export function notFound(entity: string, id: string): DataverseError {
  return new DataverseError(404, '0x80040217', `Entity '${entity}' With Id = ${id} Does Not Exist`);
}

export type MessageLanguage = 'en' | 'fr' | 'es' | 'de' | 'nb';

type Catalog = Record<MessageLanguage, (a: Record<string, string>) => string>;

/**
 * Platform messages in the languages the simulator speaks (dataverse-facts "Corrections": outer and
 * inner texts come back translated; only the codes are stable). English texts are the sourced ones;
 * the Spanish outer Flow template is quoted from a public report; the other translations are the
 * simulator's own and only need to look real: tests must not depend on their wording.
 */
const MESSAGES = {
  flowClientError: {
    en: (a) => `Flow client error returned with status code "${a.status}" and details "${a.details}".`,
    es: (a) => `Se devolvió el error del cliente de flujo con el código de estado "${a.status}" y los detalles "${a.details}".`,
    fr: (a) => `Une erreur du client de flux a été retournée avec le code d'état « ${a.status} » et les détails « ${a.details} ».`,
    de: (a) => `Flow-Clientfehler mit dem Statuscode "${a.status}" und den Details "${a.details}" zurückgegeben.`,
    nb: (a) => `Flytklientfeil returnert med statuskoden «${a.status}» og detaljene «${a.details}».`,
  },
  connectionReferenceNotFound: {
    en: (a) => `Failed to find connection references with logical name(s) '${a.names}'. Please check if connection references exists.`,
    es: (a) => `No se encontraron referencias de conexión con los nombres lógicos '${a.names}'. Compruebe si existen las referencias de conexión.`,
    fr: (a) => `Impossible de trouver des références de connexion avec le ou les noms logiques '${a.names}'. Vérifiez si les références de connexion existent.`,
    de: (a) => `Es wurden keine Verbindungsreferenzen mit den logischen Namen '${a.names}' gefunden. Überprüfen Sie, ob die Verbindungsreferenzen vorhanden sind.`,
    nb: (a) => `Finner ikke tilkoblingsreferanser med de logiske navnene '${a.names}'. Kontroller om tilkoblingsreferansene finnes.`,
  },
  missingConnection: {
    en: (a) => `Connection Id missing for connection reference logical name '${a.logicalName}'.`,
    es: (a) => `Falta el identificador de conexión para el nombre lógico de la referencia de conexión '${a.logicalName}'.`,
    fr: (a) => `ID de connexion manquant pour le nom logique de la référence de connexion '${a.logicalName}'.`,
    de: (a) => `Die Verbindungs-ID für den logischen Namen der Verbindungsreferenz '${a.logicalName}' fehlt.`,
    nb: (a) => `Tilkoblings-ID mangler for det logiske navnet på tilkoblingsreferansen '${a.logicalName}'.`,
  },
  connectionAuthorizationFailed: {
    en: (a) =>
      `The caller object id is '${a.oid}'. Connection '${a.path}' to '${a.api}' cannot be used to activate this flow, either because this is not a valid connection or because it is not a connection you have access permission for. Either replace the connection with a valid connection you can access or have the connection owner activate the flow, so the connection is shared with you in the context of this flow.`,
    es: (a) =>
      `El id. de objeto del autor de la llamada es '${a.oid}'. La conexión '${a.path}' a '${a.api}' no se puede usar para activar este flujo, ya sea porque no es una conexión válida o porque no tiene permiso de acceso a ella. Reemplace la conexión por una conexión válida a la que pueda acceder o pida al propietario de la conexión que active el flujo, para que la conexión se comparta con usted en el contexto de este flujo.`,
    fr: (a) =>
      `L'ID d'objet de l'appelant est '${a.oid}'. La connexion '${a.path}' à '${a.api}' ne peut pas être utilisée pour activer ce flux, soit parce qu'il ne s'agit pas d'une connexion valide, soit parce que vous n'avez pas l'autorisation d'y accéder. Remplacez la connexion par une connexion valide à laquelle vous avez accès ou demandez au propriétaire de la connexion d'activer le flux, afin que la connexion soit partagée avec vous dans le contexte de ce flux.`,
    de: (a) =>
      `Die Objekt-ID des Aufrufers ist '${a.oid}'. Die Verbindung '${a.path}' mit '${a.api}' kann nicht zum Aktivieren dieses Flows verwendet werden, da sie entweder keine gültige Verbindung ist oder Sie keine Zugriffsberechtigung für sie haben. Ersetzen Sie die Verbindung durch eine gültige Verbindung, auf die Sie zugreifen können, oder lassen Sie den Flow vom Besitzer der Verbindung aktivieren, damit die Verbindung im Kontext dieses Flows für Sie freigegeben wird.`,
    nb: (a) =>
      `Objekt-ID-en for anroperen er '${a.oid}'. Tilkoblingen '${a.path}' til '${a.api}' kan ikke brukes til å aktivere denne flyten, enten fordi den ikke er en gyldig tilkobling, eller fordi du ikke har tilgang til den. Erstatt tilkoblingen med en gyldig tilkobling du har tilgang til, eller be eieren av tilkoblingen om å aktivere flyten, slik at tilkoblingen deles med deg i sammenheng med denne flyten.`,
  },
  childFlowNeverPublished: {
    en: (a) =>
      `The workflow with id '${a.id}' cannot be used as a child workflow because it has never been published. Child workflows need to be published at least once before they can be included in a published parent workflow.`,
    es: (a) =>
      `El flujo de trabajo con el id. '${a.id}' no se puede usar como flujo de trabajo secundario porque nunca se ha publicado. Los flujos de trabajo secundarios deben publicarse al menos una vez antes de poder incluirse en un flujo de trabajo primario publicado.`,
    fr: (a) =>
      `Le workflow avec l'ID '${a.id}' ne peut pas être utilisé comme workflow enfant, car il n'a jamais été publié. Les workflows enfants doivent être publiés au moins une fois avant de pouvoir être inclus dans un workflow parent publié.`,
    de: (a) =>
      `Der Workflow mit der ID '${a.id}' kann nicht als untergeordneter Workflow verwendet werden, da er nie veröffentlicht wurde. Untergeordnete Workflows müssen mindestens einmal veröffentlicht werden, bevor sie in einen veröffentlichten übergeordneten Workflow aufgenommen werden können.`,
    nb: (a) =>
      `Arbeidsflyten med ID-en '${a.id}' kan ikke brukes som underordnet arbeidsflyt fordi den aldri er publisert. Underordnede arbeidsflyter må publiseres minst én gang før de kan tas med i en publisert overordnet arbeidsflyt.`,
  },
  pluginRequestFailed: {
    en: (a) => `Request failed with: ${a.status} and error: ${a.details} and request url ${a.url}`,
    es: (a) => `Error en la solicitud: ${a.status} y error: ${a.details} y dirección URL de la solicitud ${a.url}`,
    fr: (a) => `Échec de la demande : ${a.status} et erreur : ${a.details} et URL de la demande ${a.url}`,
    de: (a) => `Anforderung fehlgeschlagen mit: ${a.status} und Fehler: ${a.details} und Anforderungs-URL ${a.url}`,
    nb: (a) => `Forespørselen mislyktes med: ${a.status} og feil: ${a.details} og forespørsels-URL ${a.url}`,
  },
  connectionNotFound: {
    en: (a) => `Could not find connection '${a.id}' for API '${a.api}'.`,
    es: (a) => `No se encontró la conexión '${a.id}' para la API '${a.api}'.`,
    fr: (a) => `Connexion '${a.id}' introuvable pour l'API '${a.api}'.`,
    de: (a) => `Die Verbindung '${a.id}' für die API '${a.api}' wurde nicht gefunden.`,
    nb: (a) => `Finner ikke tilkoblingen '${a.id}' for API-et '${a.api}'.`,
  },
} satisfies Record<string, Catalog>;

export type MessageId = keyof typeof MESSAGES;

/** The platform's text for `id` in `language` (English when the language is unknown). */
export function platformMessage(language: string | undefined, id: MessageId, args: Record<string, string>): string {
  const catalog: Catalog = MESSAGES[id];
  const lang = (language ?? 'en').toLowerCase() as MessageLanguage;
  return (catalog[lang] ?? catalog.en)(args);
}
