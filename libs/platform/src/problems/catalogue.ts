/**
 * Every error code the services answer with, its HTTP status, its title in English and Russian,
 * and its detail in Russian: the English detail is the error's own message (it names the values
 * involved); the Russian one is made from it by the first pattern that matches, else `fallback`.
 * A code raised anywhere in apps/ or libs/ without an entry here fails problem-catalogue.spec.ts.
 *
 * Russian terms follow the states' own Russian texts (the Almaty Process statement):
 * «направление» (referral) «в компетентные органы», «передвижение» (movement), «соглашение».
 */
export interface ProblemEntry {
  /** The status the code is answered with (VALIDATION.FAILED: 400 for parameters, 422 for bodies). */
  status: number | number[];
  title: { en: string; ru: string };
  ru: { patterns?: [RegExp, string][]; fallback: string };
}

const ID = '(\\S+)';
const rx = (source: string) => new RegExp(`^${source.replace(/<id>/g, ID)}$`);

export const PROBLEM_CATALOGUE: Record<string, ProblemEntry> = {
  'AUTH.UNAUTHENTICATED': {
    status: 401,
    title: { en: 'Not authenticated', ru: 'Не выполнена аутентификация' },
    ru: { fallback: 'учётные данные отсутствуют или неверны: передайте заголовок Authorization: Bearer <ключ API>' },
  },
  'AUTH.FORBIDDEN': {
    status: 403,
    title: { en: 'Not allowed', ru: 'Доступ запрещён' },
    ru: {
      patterns: [
        [rx('<id> \\(role (\\w+)\\) may not call this endpoint'), '$1 (роль $2) не может вызывать эту операцию'],
        [rx('this node takes records from <id> only, not <id>'), 'этот узел принимает записи только от $1, а не от $2'],
      ],
      fallback: 'у этого ключа нет права на эту операцию',
    },
  },
  'AUTH.UNAVAILABLE': {
    status: 503,
    title: { en: 'Credentials cannot be checked', ru: 'Учётные данные невозможно проверить' },
    ru: { fallback: 'учётные данные сейчас невозможно проверить; повторите попытку' },
  },
  'VALIDATION.FAILED': {
    status: [400, 422],
    title: { en: 'Validation failed', ru: 'Данные не прошли проверку' },
    // The detail is made from the (translated) field errors: see localise.ts.
    ru: { fallback: 'данные не прошли проверку' },
  },
  'REQUEST.BAD': {
    status: 400,
    title: { en: 'Bad request', ru: 'Неверный запрос' },
    ru: {
      patterns: [
        [/^Validation failed \(uuid(?: v\d)? is expected\)$/, 'ошибка проверки: ожидается UUID'],
        [
          /^Body is not valid JSON but content-type is set to 'application\/json'$/,
          'тело запроса не является корректным JSON, хотя Content-Type — application/json',
        ],
      ],
      fallback: 'запрос составлен неверно',
    },
  },
  'REQUEST.MALFORMED_JSON': {
    status: 400,
    title: { en: 'Malformed JSON', ru: 'Некорректный JSON' },
    ru: { fallback: 'тело запроса не является корректным JSON' },
  },
  'REQUEST.EMPTY_BODY': {
    status: 400,
    title: { en: 'Empty body', ru: 'Пустое тело запроса' },
    ru: { fallback: 'тело запроса с Content-Type application/json пусто' },
  },
  'REQUEST.BAD_CONTENT_LENGTH': {
    status: 400,
    title: { en: 'Wrong Content-Length', ru: 'Неверный Content-Length' },
    ru: { fallback: 'заголовок Content-Length не совпадает с длиной тела запроса' },
  },
  'REQUEST.BODY_TOO_LARGE': {
    status: 413,
    title: { en: 'Body too large', ru: 'Слишком большое тело запроса' },
    ru: { fallback: 'тело запроса больше допустимого размера; разделите пакет на части' },
  },
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': {
    status: 415,
    title: { en: 'Unsupported media type', ru: 'Неподдерживаемый тип содержимого' },
    ru: { fallback: 'тело запроса принимается только в формате application/json' },
  },
  'REQUEST.RATE_LIMITED': {
    status: 429,
    title: { en: 'Too many requests', ru: 'Слишком много запросов' },
    ru: {
      patterns: [[/^too many requests: at most (\d+) per ([\d.]+) s; retry in (\d+) s$/, 'слишком много запросов: не более $1 за $2 с; повторите через $3 с']],
      fallback: 'слишком много запросов; повторите позже (см. Retry-After)',
    },
  },
  NOT_FOUND: {
    status: 404,
    title: { en: 'Not found', ru: 'Не найдено' },
    ru: { patterns: [[/^Cannot (\w+) (\S+)$/, 'операции $1 $2 нет']], fallback: 'такой операции нет' },
  },
  INTERNAL: {
    status: 500,
    title: { en: 'Internal error', ru: 'Внутренняя ошибка' },
    ru: { fallback: 'внутренняя ошибка' },
  },
  'AUDIT.FORBIDDEN': {
    status: 403,
    title: { en: 'Not allowed', ru: 'Доступ запрещён' },
    ru: { fallback: 'about=mine — только для государства: запросы других, касавшиеся его данных' },
  },
  'SDMX.CODELIST_NOT_FOUND': {
    status: 404,
    title: { en: 'No such code list', ru: 'Такого справочника нет' },
    ru: {
      patterns: [[/^no code list "(.*)": see GET \/v1\/sdmx\/codelists$/, 'справочника «$1» нет: см. GET /v1/sdmx/codelists']],
      fallback: 'такого справочника нет: см. GET /v1/sdmx/codelists',
    },
  },
  'WEBHOOKS.NOT_FOUND': {
    status: 404,
    title: { en: 'No such webhook subscription', ru: 'Такой подписки нет' },
    ru: { fallback: 'такой подписки на веб-хуки нет' },
  },
  'WEBHOOKS.TOO_MANY': {
    status: 409,
    title: { en: 'Too many webhook subscriptions', ru: 'Слишком много подписок' },
    ru: {
      patterns: [
        [/^at most (\d+) webhook subscriptions per recipient: delete one first$/, 'не более $1 подписок на веб-хуки у одного получателя: сначала удалите одну'],
      ],
      fallback: 'слишком много подписок на веб-хуки: сначала удалите одну',
    },
  },
  'RELEASES.FORBIDDEN': {
    status: 403,
    title: { en: 'Not allowed', ru: 'Доступ запрещён' },
    ru: { fallback: 'расписание выпусков задаёт только секретариат' },
  },
  'RELEASE.BACKWARDS': {
    status: 409,
    title: { en: 'Release would take data back', ru: 'Выпуск не может забрать данные назад' },
    ru: {
      patterns: [
        [
          rx("dataUntil <id> is before the latest release's <id>: a release never takes data back"),
          'dataUntil $1 раньше, чем у последнего выпуска ($2): выпуск никогда не забирает данные назад',
        ],
      ],
      fallback: 'выпуск никогда не забирает данные назад',
    },
  },
  'MOVEMENT.NOT_FOUND': {
    status: 404,
    title: { en: 'Movement not found', ru: 'Передвижение не найдено' },
    ru: {
      patterns: [[rx('no movement with eventId <id> was recorded by this node'), 'передвижение с eventId $1 на этом узле не записывалось']],
      fallback: 'передвижение не найдено',
    },
  },
  'MOVEMENT.ALREADY_RETRACTED': {
    status: 409,
    title: { en: 'Movement already retracted', ru: 'Передвижение уже отозвано' },
    ru: { patterns: [[rx('movement <id> is already retracted'), 'передвижение $1 уже отозвано']], fallback: 'передвижение уже отозвано' },
  },
  'MOVEMENT.CONCURRENT_CHANGE': {
    status: 409,
    title: { en: 'Changed concurrently', ru: 'Изменено одновременно' },
    ru: {
      patterns: [
        [rx('movement <id> was changed concurrently; read it again'), 'передвижение $1 было изменено одновременно другим запросом; прочтите его заново'],
      ],
      fallback: 'передвижение было изменено одновременно другим запросом',
    },
  },
  'REFERRAL.NOT_FOUND': {
    status: 404,
    title: { en: 'Referral not found', ru: 'Направление не найдено' },
    ru: { patterns: [[rx('no referral <id> was made at this node'), 'направление $1 на этом узле не создавалось']], fallback: 'направление не найдено' },
  },
  'REFERRAL.ILLEGAL_TRANSITION': {
    status: 409,
    title: { en: 'Step not allowed now', ru: 'Шаг сейчас недопустим' },
    ru: {
      patterns: [
        [rx('referral <id> is (\\w+): (\\w+) is not allowed \\(allowed: (.+)\\)'), 'направление $1 в статусе $2: команда $3 недопустима (допустимы: $4)'],
        [rx('referral <id> is (\\w+): (\\w+) is not allowed \\(it is final\\)'), 'направление $1 в статусе $2: команда $3 недопустима (статус окончательный)'],
      ],
      fallback: 'этот шаг недопустим в текущем статусе направления',
    },
  },
  'REFERRAL.TIME_BEFORE_PREVIOUS': {
    status: 422,
    title: { en: 'Dated before the previous step', ru: 'Дата раньше предыдущего шага' },
    ru: {
      patterns: [
        [/^the command is dated (\S+), before the referral's latest event \((\S+)\)$/, 'команда датирована $1 — раньше последнего события направления ($2)'],
      ],
      fallback: 'команда датирована раньше последнего события направления',
    },
  },
  'REFERRAL.TIME_IN_FUTURE': {
    status: 422,
    title: { en: 'Dated in the future', ru: 'Дата в будущем' },
    ru: { patterns: [[/^the command is dated (\S+), in the future$/, 'команда датирована $1 — это в будущем']], fallback: 'команда датирована будущим' },
  },
  'REFERRAL.CONCURRENT_CHANGE': {
    status: 409,
    title: { en: 'Changed concurrently', ru: 'Изменено одновременно' },
    ru: {
      patterns: [
        [
          rx('referral <id> kept changing while this command was applied; read it again'),
          'направление $1 менялось, пока применялась команда; прочтите его заново',
        ],
      ],
      fallback: 'направление менялось одновременно; прочтите его заново',
    },
  },
  'SECRETARIAT.CONFLICT': {
    status: 409,
    title: { en: 'Changed concurrently', ru: 'Изменено одновременно' },
    ru: {
      patterns: [
        [
          rx('<id> was changed meanwhile \\(version (\\d+) exists\\): read it again and retry'),
          '$1 изменено тем временем (версия $2 уже есть): прочтите заново и повторите',
        ],
      ],
      fallback: 'изменено одновременно; прочтите заново и повторите',
    },
  },
  'SCENARIO.NOT_FOUND': {
    status: 404,
    title: { en: 'No scenario in force', ru: 'Сценарий не действует' },
    ru: { patterns: [[rx('no scenario in force for <id>'), 'для $1 нет действующего сценария']], fallback: 'действующего сценария нет' },
  },
  'AGREEMENT.NOT_FOUND': {
    status: 404,
    title: { en: 'Agreement not found', ru: 'Соглашение не найдено' },
    ru: { patterns: [[rx('no agreement <id> was granted by this node'), 'соглашение $1 этим узлом не предоставлялось']], fallback: 'соглашение не найдено' },
  },
  'AGREEMENT.ALREADY_GRANTED': {
    status: 409,
    title: { en: 'Agreement already granted', ru: 'Соглашение уже предоставлено' },
    ru: { patterns: [[rx('agreement <id> is already granted'), 'соглашение $1 уже предоставлено']], fallback: 'соглашение уже предоставлено' },
  },
  'AGREEMENT.REVOKED': {
    status: 409,
    title: { en: 'Agreement revoked', ru: 'Соглашение отозвано' },
    ru: {
      patterns: [
        [
          rx('agreement <id> was revoked on <id>; (\\w+) is refused: grant a new agreement instead'),
          'соглашение $1 отозвано $2; $3 отклонено: предоставьте новое соглашение',
        ],
      ],
      fallback: 'соглашение отозвано: предоставьте новое соглашение',
    },
  },
  'AGREEMENT.NO_EMERGENCY_TERMS': {
    status: 422,
    title: { en: 'No emergency terms', ru: 'Нет условий на случай чрезвычайной ситуации' },
    ru: {
      patterns: [
        [
          rx('agreement <id> has no emergency terms to activate: amend it with an emergency term first'),
          'в соглашении $1 нет условий на случай чрезвычайной ситуации: сначала дополните его ими',
        ],
      ],
      fallback: 'в соглашении нет условий на случай чрезвычайной ситуации',
    },
  },
  'AGREEMENT.ALREADY_ACTIVATED': {
    status: 409,
    title: { en: 'Emergency terms already activated', ru: 'Условия на случай ЧС уже введены' },
    ru: {
      patterns: [
        [
          rx('the emergency terms of agreement <id> are already activated for emergency <id>'),
          'условия соглашения $1 на случай ЧС уже введены для чрезвычайной ситуации $2',
        ],
      ],
      fallback: 'условия на случай ЧС уже введены для этой чрезвычайной ситуации',
    },
  },
  'AGREEMENT.NOT_IN_FORCE': {
    status: 422,
    title: { en: 'Agreement not in force', ru: 'Соглашение не действует' },
    ru: { fallback: 'соглашение сегодня не действует: его условия на случай ЧС нельзя ввести' },
  },
  'EMERGENCY.NOT_FOUND': {
    status: 404,
    title: { en: 'Emergency not found', ru: 'Чрезвычайная ситуация не найдена' },
    ru: { patterns: [[rx('no emergency <id> was declared'), 'чрезвычайная ситуация $1 не объявлялась']], fallback: 'чрезвычайная ситуация не найдена' },
  },
  'EMERGENCY.FORBIDDEN': {
    status: 403,
    title: { en: 'Not allowed', ru: 'Доступ запрещён' },
    ru: { fallback: 'объявлять и завершать чрезвычайные ситуации может только секретариат' },
  },
  'EMERGENCY.ENDED': {
    status: 409,
    title: { en: 'Emergency over', ru: 'Чрезвычайная ситуация завершена' },
    ru: {
      patterns: [[rx('emergency <id> is over since <id>'), 'чрезвычайная ситуация $1 завершена с $2']],
      fallback: 'чрезвычайная ситуация уже завершена',
    },
  },
  'EMERGENCY.OUT_OF_SCOPE': {
    status: 400,
    title: { en: 'Outside the emergency', ru: 'Вне охвата чрезвычайной ситуации' },
    ru: { fallback: 'запрос с emergency ограничен её маршрутами и пунктами пропуска; уберите фильтры вне их' },
  },
  'AGREEMENT.FOREIGN_PROVIDER': {
    status: 403,
    title: { en: 'Not this node’s state', ru: 'Не государство этого узла' },
    ru: {
      patterns: [
        [
          rx('a node grants only for its own state: this node speaks for <id>, not <id>'),
          'узел предоставляет соглашения только от своего государства: этот узел представляет $1, а не $2',
        ],
      ],
      fallback: 'узел предоставляет соглашения только от своего государства',
    },
  },
  'AGREEMENT.NO_CHANGE': {
    status: 422,
    title: { en: 'Amendment changes nothing', ru: 'Изменение ничего не меняет' },
    ru: {
      patterns: [
        [
          rx('the amendment changes nothing: every term given already has that value in agreement <id>'),
          'изменение ничего не меняет: каждое указанное условие уже имеет это значение в соглашении $1',
        ],
      ],
      fallback: 'изменение ничего не меняет',
    },
  },
  'AGREEMENT.CONCURRENT_CHANGE': {
    status: 409,
    title: { en: 'Changed concurrently', ru: 'Изменено одновременно' },
    ru: {
      patterns: [
        [
          rx('agreement <id> was changed by another request at the same time; read it again and retry'),
          'соглашение $1 одновременно изменено другим запросом; прочтите его заново и повторите',
        ],
      ],
      fallback: 'соглашение одновременно изменено другим запросом',
    },
  },
};

/** Titles of the codes `HTTP.<status>` (a plain HTTP error no code above covers). */
export const STATUS_TITLES: Record<number, { en: string; ru: string }> = {
  400: { en: 'Bad request', ru: 'Неверный запрос' },
  401: { en: 'Not authenticated', ru: 'Не выполнена аутентификация' },
  403: { en: 'Not allowed', ru: 'Доступ запрещён' },
  404: { en: 'Not found', ru: 'Не найдено' },
  405: { en: 'Method not allowed', ru: 'Метод не поддерживается' },
  406: { en: 'Not acceptable', ru: 'Неприемлемый формат ответа' },
  409: { en: 'Conflict', ru: 'Конфликт' },
  413: { en: 'Body too large', ru: 'Слишком большое тело запроса' },
  415: { en: 'Unsupported media type', ru: 'Неподдерживаемый тип содержимого' },
  422: { en: 'Unprocessable content', ru: 'Содержимое не может быть обработано' },
  429: { en: 'Too many requests', ru: 'Слишком много запросов' },
  500: { en: 'Internal error', ru: 'Внутренняя ошибка' },
  503: { en: 'Unavailable', ru: 'Сервис недоступен' },
};
