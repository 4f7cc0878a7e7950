/** Texts about strangers: the owner's notice (and its folded form in a flood), Invite/Ignore and its undo, /ignored. */
import { defineMessages } from '../../core/i18n.ts';

/** The stranger notice and the buttons and commands around it. */
export const strangerMessages = defineMessages(
  {
    'permissions.stranger.title': 'Someone new',
    'permissions.stranger.text': '{name} ({identity}) wrote to the bot and got a neutral reply.',
    'permissions.stranger.invite': 'Invite as family',
    'permissions.stranger.ignore': 'Ignore',
    'permissions.stranger.folded.title': 'More new people',
    'permissions.stranger.folded.text':
      '{n, plural, one {# more person} other {# more people}} wrote to the bot in the last {minutes} minutes and got the neutral reply. Too many to tell one by one: /audit strangers shows the latest of them, and /invite lets someone in.',
    'permissions.ignore.summary': 'Ignore someone who wrote to the bot',
    'permissions.ignore.done': 'Ignoring {name}: their messages are dropped without a reply or a notice.',
    'permissions.ignore.already': '{name} is already ignored.',
    'permissions.admit.summary': 'Let in someone who wrote to the bot',
    'permissions.admit.identity': 'Their platform:id',
    'permissions.admit.done': '{name} is now {role}.',
    'permissions.admit.welcome': 'Welcome! You were added as {role}. Send /help to see what you can do.',
    'permissions.admit.already-known': 'They are already set up.',
    'permissions.admit.not-a-stranger': 'I have no message from that person, or no longer remember it.',
    'permissions.ignore.undo': 'Undo',
    'permissions.unignore.summary': 'Stop ignoring someone who wrote to the bot',
    'permissions.unignore.done':
      '{name} is no longer ignored: their messages are counted again (they get no reply). Let them in, or ignore them after all:',
    'permissions.unignore.already': '{name} is not ignored.',
    'permissions.ignored.summary': 'People the bot ignores, with a button to stop ignoring each',
    'permissions.ignored.title': '{n, plural, one {# person ignored} other {# people ignored}}',
    'permissions.ignored.item': '{name} ({identity}) · ignored {when} by {by}',
    'permissions.ignored.more': '{n, plural, one {# more, ignored earlier, is not shown.} other {# more, ignored earlier, are not shown.}}',
    'permissions.ignored.none': 'Nobody is ignored.',
    'permissions.ignored.button': 'Stop ignoring {name}',
  },
  {
    'permissions.stranger.title': 'Alguien nuevo',
    'permissions.stranger.text': '{name} ({identity}) ha escrito al bot y ha recibido una respuesta neutra.',
    'permissions.stranger.invite': 'Invitar como familia',
    'permissions.stranger.ignore': 'Ignorar',
    'permissions.stranger.folded.title': 'Más personas nuevas',
    'permissions.stranger.folded.text':
      '{n, plural, one {# persona más ha escrito} other {# personas más han escrito}} al bot en los últimos {minutes} minutos y {n, plural, one {ha recibido} other {han recibido}} la respuesta neutra. Son demasiadas para avisar una a una: /audit strangers muestra las últimas, e /invite deja entrar a alguien.',
    'permissions.ignore.summary': 'Ignorar a alguien que ha escrito al bot',
    'permissions.ignore.done': 'Ignorando a {name}: sus mensajes se descartan sin respuesta ni aviso.',
    'permissions.ignore.already': '{name} ya estaba ignorado.',
    'permissions.admit.summary': 'Dejar entrar a alguien que ha escrito al bot',
    'permissions.admit.identity': 'Su plataforma:id',
    'permissions.admit.done': '{name} ahora es {role}.',
    'permissions.admit.welcome': '¡Bienvenido! Te han añadido como {role}. Envía /help para ver lo que puedes hacer.',
    'permissions.admit.already-known': 'Ya está dado de alta.',
    'permissions.admit.not-a-stranger': 'No tengo ningún mensaje de esa persona, o ya no lo recuerdo.',
    'permissions.ignore.undo': 'Deshacer',
    'permissions.unignore.summary': 'Dejar de ignorar a alguien que ha escrito al bot',
    'permissions.unignore.done':
      '{name} ya no está ignorado: sus mensajes vuelven a contarse (no recibe respuesta). Déjale entrar, o ignóralo al final:',
    'permissions.unignore.already': '{name} no está ignorado.',
    'permissions.ignored.summary': 'Personas a las que el bot ignora, con un botón para dejar de ignorar a cada una',
    'permissions.ignored.title': '{n, plural, one {# persona ignorada} other {# personas ignoradas}}',
    'permissions.ignored.item': '{name} ({identity}) · ignorado {when} por {by}',
    'permissions.ignored.more': '{n, plural, one {No se muestra # más, ignorada antes.} other {No se muestran # más, ignoradas antes.}}',
    'permissions.ignored.none': 'No hay nadie ignorado.',
    'permissions.ignored.button': 'Dejar de ignorar a {name}',
  },
);

declare module '../../core/i18n.ts' {
  interface MessageFragments {
    strangers: typeof strangerMessages;
  }
}
